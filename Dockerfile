# The dashboard image used by docker-compose.yml; Neo4j runs in its own container.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY explorer ./explorer
COPY cypher ./cypher
COPY seeds ./seeds
# A regular (wheel) install, not -e: the queries, schema, walkthrough and seeds travel
# as package data (explorer/cypher, explorer/seeds link to the folders copied above).
RUN pip install --no-cache-dir .
EXPOSE 8501
CMD ["explorer", "app", "--host", "0.0.0.0", "--port", "8501"]
