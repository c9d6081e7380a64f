package dev.clipsearch.examples;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.store.VectorStore;
import java.nio.file.Path;

/** The tiny CLIP over 40 fixture images in an in-memory store: what the gallery tests serve. */
final class GalleryFixture implements AutoCloseable {
    final ClipModel model;
    final VectorStore store;
    final ImageSearch search;

    GalleryFixture(Path tmp) {
        model = Fixtures.loadTinyModel(tmp.resolve("model"));
        store = Fixtures.indexedMemoryStore(model, Fixtures.loadDataset(tmp, 40));
        search = new ImageSearch(model, store);
    }

    @Override
    public void close() {
        store.close();
        model.close();
    }
}
