/**
 * The {@code qdrant} vector store backend: {@code qdrant://host:6334?collection=image_search}.
 * Register-free (found through {@link java.util.ServiceLoader}); the public entry point is {@link
 * dev.clipsearch.store.qdrant.QdrantVectorStoreProvider}, everything else is package-private.
 */
package dev.clipsearch.store.qdrant;
