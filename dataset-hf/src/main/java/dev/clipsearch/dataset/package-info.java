/**
 * Image datasets for indexing: Hugging Face datasets stored as parquet (on the Hub, or local in the
 * Hub's layout), and local image folders. Start with {@link dev.clipsearch.dataset.HfDatasets}; a
 * {@link dev.clipsearch.dataset.DatasetSplit} streams {@link dev.clipsearch.dataset.DatasetRow}s
 * with stable row indexes through a {@link dev.clipsearch.dataset.RowCursor}, skipping and
 * reporting bad rows, and can resume at any row. Parquet is read with DuckDB (in-process,
 * streaming).
 */
package dev.clipsearch.dataset;
