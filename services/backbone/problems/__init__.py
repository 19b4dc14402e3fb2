"""RFC 9457 problem details for every service: kinds, words, handlers, pages and OpenAPI."""
