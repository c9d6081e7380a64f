package dev.clipsearch.store;

/**
 * What {@link VectorStore#info()} reports, and {@code clip-search info} prints.
 *
 * @param table the table (or collection) name
 * @param rows the number of records
 * @param dimension the vector dimension
 * @param index a short description of the vector index ("none (exact)", "IVF_HNSW_SQ", "HNSW", ...)
 * @param location where the table lives (path or URL, without secrets)
 */
public record TableInfo(String table, long rows, int dimension, String index, String location) {}
