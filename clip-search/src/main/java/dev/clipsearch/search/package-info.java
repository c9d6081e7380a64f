/**
 * Image search with natural language, on top of {@code clip-core} (CLIP encoders), {@code
 * dataset-hf} (image datasets) and {@code store-api} (vector stores).
 *
 * <ul>
 *   <li>{@link dev.clipsearch.search.ImageIndexer}: indexes a dataset split into a table, streaming
 *       and resumable, with a {@link dev.clipsearch.search.IndexSummary} of what it did and an
 *       optional {@link dev.clipsearch.search.ProgressListener};
 *   <li>{@link dev.clipsearch.search.ImageSearch}: finds images by text or by example, decoded
 *       ({@link dev.clipsearch.search.FoundImage}) or as hits ({@link
 *       dev.clipsearch.search.ImageHit}) with the stored image bytes by id;
 *   <li>{@link dev.clipsearch.search.Evaluation}: zero-shot top-1 and text-to-image precision@10 of
 *       an indexed, labelled split.
 * </ul>
 *
 * <p>Store backends ({@code store-lance}, {@code store-qdrant}) and a logging binding are the
 * application's choice: this module depends on neither.
 */
package dev.clipsearch.search;
