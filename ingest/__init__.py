"""Ingestion: departmental files into ``raw``, one transaction per file, gated by GX.

Stages, one module each: ``spec`` (what a source is), ``readers`` (bytes to rows),
``mapping`` (headers to columns, the contract), ``validate`` (Great Expectations),
``load`` (COPY), ``ledger`` (bookkeeping), ``quarantine`` (refused files),
``discover`` (new deliveries) and ``pipeline`` (the order they run in).
"""
