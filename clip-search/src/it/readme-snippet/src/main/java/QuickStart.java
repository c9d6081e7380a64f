import dev.clipsearch.search.FoundImage;
import dev.clipsearch.search.ImageHit;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.Filter;
import java.util.List;

public class QuickStart {
    public static void main(String[] args) {
        // A Hub model id or a local checkpoint directory; a Hub dataset id, a local Hub-layout
        // directory, a parquet file or a folder of class/*.jpg; the split; the store.
        String model = args.length > 0 ? args[0] : "openai/clip-vit-base-patch32";
        String dataset = args.length > 1 ? args[1] : "zh-plus/tiny-imagenet";
        String split = args.length > 2 ? args[2] : "valid";
        String store = "lance:./data/lancedb";

        // Index: streaming and resumable (rerun after an interruption and it continues).
        IndexSummary summary =
                ImageIndexer.generate(
                        ImageIndexer.Options.defaults()
                                .model(model)
                                .dataset(dataset)
                                .split(split)
                                .store(store));
        System.out.println(summary.toText());

        try (ImageSearch search = ImageSearch.open(model, store, "image_search")) {
            // By text; FoundImage.image() is the decoded BufferedImage.
            List<FoundImage> found = search.findImages("a photo of a goldfish", 3);
            for (FoundImage f : found) {
                System.out.printf("text     %s %s %.3f%n", f.id(), f.labelName(), f.score());
            }
            // By example, as hits (nothing decoded), with the stored bytes of an image by id.
            byte[] example = search.imageBytes(found.get(0).id()).orElseThrow();
            for (ImageHit h : search.findSimilarHits(example, "example", 3, null)) {
                System.out.printf("similar  %s %s %.3f%n", h.id(), h.labelName(), h.score());
            }
            // Among the images of one label.
            Filter sameLabel = Filter.labelEquals(found.get(0).label());
            for (FoundImage f : search.findImages("a photo of a goldfish", 3, sameLabel)) {
                System.out.printf("filtered %s %s %.3f%n", f.id(), f.labelName(), f.score());
            }
        }
    }
}
