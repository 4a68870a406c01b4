# Table runtime for dbx-ts notebooks, inlined by the `py_tables_runtime` helper.
# It executes table specs that dbx-ts generated from the bundle's TableModel: every decision (casts, rules,
# quarantine columns, dedupe, file metadata) was made by src/model/table-semantics.ts and every SQL text was
# built and escaped by dbx-ts (src/synth/cleanse-code.ts); this code only runs them. Table names and paths carry
# the `${catalog}` placeholder, replaced here with the `catalog` widget's value; `${<widget>}` placeholders take
# the values of the notebook's other widgets (job parameters reach table queries this way).
import json
import re

from pyspark.sql import functions as F

# Quality metrics of this run, one entry per (table, rule), summed over micro-batches.
QUALITY_METRICS = {}


class ExpectationFailed(Exception):
    """A `fail` expectation was broken; the run stops before the offending rows are written."""


def q(text):
    """Substitutes the run's catalog for `${catalog}`, and each other widget's value for `${<widget>}`."""
    for name, value in WIDGETS.items():
        if name != "catalog":
            text = text.replace("${%s}" % name, value)
    return text.replace("${catalog}", CATALOG)


def check_catalog(name):
    # The catalog is substituted as plain text, also into volume paths, so only plain identifiers are safe.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        raise ValueError("The catalog widget must be a plain identifier (letters, digits, _), got %r" % (name,))
    return name


def run_tables(specs):
    for spec in specs:
        run_table(spec)


def run_table(spec):
    print("Building %s (%s)" % (spec["name"], spec["kind"]))
    if spec["kind"] == "view":
        spark.sql(q(spec["create"]))
    elif spec["kind"] == "materialized_view":
        build_materialized(spec)
    elif spec["kind"] == "streaming_table":
        build_streaming(spec)
    else:
        # Never build a table as another kind than the one declared.
        raise ValueError("Table %s has kind %r, which is not a kind of table (streaming_table, materialized_view, view)" % (spec["name"], spec["kind"]))


def build_materialized(spec):
    """Recomputes the table from its query; expectations are checked before anything is replaced."""
    checked = spark.sql(q(spec["query"]))
    measure(spec, checked)
    spark.sql(q(spec["create"]))
    if spec.get("quarantine"):
        spark.sql(q(spec["quarantine"]["create"]))


def build_streaming(spec):
    """Processes what arrived since the last run (trigger availableNow), then stops."""
    reader = read_source(spec)
    writer = None
    if spec["simple"]:
        # Columns the bundle's table semantics add to file rows (file path, ingestion time), given as SQL.
        df = reader.selectExpr("*", *spec["metadata"]) if spec.get("metadata") else reader
        writer = df.writeStream
    else:
        for statement in spec["setup"]:
            spark.sql(q(statement))
        writer = reader.writeStream.foreachBatch(lambda batch, batch_id: process_batch(spec, batch))
    writer = writer.option("checkpointLocation", q(spec["checkpoint"])).trigger(availableNow=True)
    if spec["simple"]:
        query = writer.toTable(q(spec["target"]))
    else:
        query = writer.start()
    query.awaitTermination()
    for statement in spec.get("finish", []):
        spark.sql(q(statement))


def read_source(spec):
    source = spec["source"]
    if source["type"] == "table":
        return spark.readStream.table(q(source["table"]))
    reader = (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", source["format"])
        .option("cloudFiles.schemaLocation", q(spec["checkpoint"]) + "/_schema")
    )
    for key, value in source["options"].items():
        # A declared file schema means no inference: an empty folder still gives an (empty) table.
        reader = reader.schema(value) if key.lower() == "schema" else reader.option(key, value)
    return reader.load(q(source["path"]))


def process_batch(spec, batch):
    session = batch.sparkSession
    checked = batch.selectExpr(*[q(e) for e in spec["checked"]])
    measure(spec, checked)
    quarantine = spec.get("quarantine")
    if quarantine:
        rejected = checked.where(q(quarantine["filter"])).selectExpr(*[q(e) for e in quarantine["select"]])
        rejected.write.mode("append").saveAsTable(q(quarantine["target"]))
    clean = checked.where(q(spec["clean_filter"])).selectExpr(*[q(e) for e in spec["clean_select"]])
    dedupe = spec.get("dedupe")
    if not dedupe:
        clean.write.mode("append").saveAsTable(q(spec["target"]))
        return
    # SCD type 1: keep the newest row per key within the batch, then MERGE so the newest sequence wins overall.
    latest = (
        clean.withColumn("__dbx_rank", F.expr(dedupe["rank"]))
        .where("__dbx_rank = 1")
        .drop("__dbx_rank")
    )
    latest.limit(0).write.mode("append").saveAsTable(q(spec["target"]))  # creates an undeclared target once
    latest.createOrReplaceTempView(dedupe["view"])
    session.sql(q(dedupe["merge"]))


def measure(spec, checked):
    """Counts each rule's evaluated and failed rows in one pass; a broken `fail` rule stops the run."""
    metrics = spec["metrics"]
    if not metrics:
        return
    exprs = []
    for i, m in enumerate(metrics):
        exprs.append("%s AS `__e%d`" % (q(m["evaluated"]), i))
        exprs.append("%s AS `__f%d`" % (q(m["failed"]), i))
    row = checked.selectExpr(*exprs).first()
    for i, m in enumerate(metrics):
        evaluated = int(row["__e%d" % i] or 0)
        failed = int(row["__f%d" % i] or 0)
        key = (spec["name"], m["rule"])
        entry = QUALITY_METRICS.setdefault(
            key,
            {
                "dataset": spec["name"],
                "expectation": m["rule"],
                "action": m["action"],
                "passed_records": 0,
                "failed_records": 0,
                "dropped_records": 0,
            },
        )
        entry["passed_records"] += evaluated - failed
        entry["failed_records"] += failed
        if m["action"] == "drop":
            entry["dropped_records"] += failed
        if m["action"] == "fail" and failed > 0:
            sample = [r.asDict() for r in checked.where(q(m["broken"])).selectExpr(*spec["clean_select"]).limit(5).collect()]
            raise ExpectationFailed(
                "Expectation %s on %s failed for %d row(s); sample: %s"
                % (m["rule"], spec["name"], failed, json.dumps(sample, default=str))
            )


def report_quality():
    """Prints the metrics and returns them as the notebook's result, for `dbx-ts run` to show."""
    metrics = sorted(QUALITY_METRICS.values(), key=lambda m: (m["dataset"], m["expectation"]))
    for m in metrics:
        print(
            "%(dataset)s %(expectation)s [%(action)s]: %(passed_records)d passed, %(failed_records)d failed" % m
        )
    dbutils.notebook.exit(json.dumps({"dbx_ts": {"quality_metrics": metrics}}))


def quote_ident(name):
    return "`" + name.replace("`", "``") + "`"


def zorder_columns(fields, limit=3):
    """Date and time columns first, then `*_id` columns other than the first column (usually the row key)."""
    temporal = [f.name for f in fields if f.dataType.typeName() in ("date", "timestamp", "timestamp_ntz")]
    ids = [f.name for f in fields[1:] if f.name.endswith("_id") and f.dataType.typeName() == "string"]
    return (temporal + [n for n in ids if n not in temporal])[:limit]


def optimize_tables(refs):
    """Compacts each table's files and co-locates rows by the columns dashboards filter on."""
    for ref in refs:
        name = q(ref)
        columns = zorder_columns(spark.table(name).schema.fields)
        statement = "OPTIMIZE " + name
        if columns:
            statement += " ZORDER BY (" + ", ".join(quote_ident(c) for c in columns) + ")"
        print(statement)
        spark.sql(statement)
