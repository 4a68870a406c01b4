# Table runtime for dbx-ts notebooks: deployed once with the bundle as a workspace file (src/lib/dbx_ts_tables.py)
# that the generated notebooks import. It executes table specs dbx-ts generated from the bundle's TableModel:
# every decision (casts, rules, quarantine columns, dedupe, file metadata) was made by
# src/model/table-semantics.ts and every SQL text was built and escaped by dbx-ts (src/synth/cleanse-code.ts);
# this code only runs them. Table names and paths carry `${catalog}`, replaced with the `catalog` widget's value;
# `${<widget>}` takes the values of the notebook's other widgets (job parameters reach table queries this way).
#
# Data quality is counted with DataFrame aggregations and appended to a quality table (one row per rule and
# micro-batch), never gathered in driver memory: on serverless (Spark Connect) the foreachBatch function runs
# in another process and sees nothing defined outside it, so that function is built from plain data only.
import re

KINDS = ("streaming_table", "materialized_view", "view")


class ExpectationFailed(Exception):
    """A `fail` expectation was broken; the run stops before the offending rows are written."""


def check_catalog(name):
    # The catalog is substituted as plain text, also into volume paths, so only plain identifiers are safe.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        raise ValueError("The catalog widget must be a plain identifier (letters, digits, _), got %r" % (name,))
    return name


def substitute(value, widgets):
    """Every string in `value` (dicts and lists too) with `${<widget>}` and `${catalog}` filled in."""
    if isinstance(value, str):
        for name, text in widgets.items():
            if name != "catalog":
                value = value.replace("${%s}" % name, text)
        return value.replace("${catalog}", widgets["catalog"])
    if isinstance(value, dict):
        return {k: substitute(v, widgets) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, widgets) for v in value]
    return value


def quality_recorder(quality_table, run_id):
    """Counts one relation's rules with one aggregation and appends the counts to the quality table.

    Self-contained (imports inside, plain data in its closure) so it can run inside foreachBatch on serverless.
    Raises on a broken `fail` rule after recording, with a sample of the offending rows."""

    def record(session, spec, checked, batch_id):
        import datetime
        import json

        metrics = spec["metrics"]
        if not metrics:
            return
        counts = checked.selectExpr(*spec["measure"]).first()
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        rows = []
        for i, m in enumerate(metrics):
            evaluated = int(counts["__e%d" % i] or 0)
            failed = int(counts["__f%d" % i] or 0)
            dropped = failed if m["action"] == "drop" else 0
            rows.append((run_id, spec["name"], m["rule"], m["action"], int(batch_id), evaluated - failed, failed, dropped, now))
        session.createDataFrame(rows, spec["quality_columns"]).write.mode("append").saveAsTable(quality_table)
        for m, row in zip(metrics, rows):
            if m["action"] == "fail" and row[6] > 0:
                sample = [r.asDict() for r in checked.where(m["broken"]).selectExpr(*spec["clean_select"]).limit(5).collect()]
                raise RuntimeError(
                    "Expectation %s on %s failed for %d row(s); sample: %s" % (m["rule"], spec["name"], row[6], json.dumps(sample, default=str))
                )

    return record


def batch_writer(spec, quality_table, run_id):
    """The foreachBatch function for a checked streaming table: quality, quarantine, then clean rows (appended, or
    merged newest-wins by key). Built from plain data only: serverless runs it in another process."""
    record = quality_recorder(quality_table, run_id)

    def write_batch(batch, batch_id):
        from pyspark.sql import functions as F

        session = batch.sparkSession
        checked = batch.selectExpr(*spec["checked"])
        record(session, spec, checked, batch_id)
        quarantine = spec.get("quarantine")
        if quarantine:
            rejected = checked.where(quarantine["filter"]).selectExpr(*quarantine["select"])
            rejected.write.mode("append").saveAsTable(quarantine["target"])
        clean = checked.where(spec["clean_filter"]).selectExpr(*spec["clean_select"])
        dedupe = spec.get("dedupe")
        if not dedupe:
            clean.write.mode("append").saveAsTable(spec["target"])
            return
        # SCD type 1: keep the newest row per key within the batch, then MERGE so a strictly newer row wins.
        latest = clean.withColumn("__dbx_rank", F.expr(dedupe["rank"])).where("__dbx_rank = 1").drop("__dbx_rank")
        latest.limit(0).write.mode("append").saveAsTable(spec["target"])  # creates an undeclared target once
        latest.createOrReplaceTempView(dedupe["view"])
        session.sql(dedupe["merge"])

    return write_batch


def quote_ident(name):
    return "`" + name.replace("`", "``") + "`"


def zorder_columns(fields, limit=3):
    """Date and time columns first, then `*_id` columns other than the first column (usually the row key)."""
    temporal = [f.name for f in fields if f.dataType.typeName() in ("date", "timestamp", "timestamp_ntz")]
    ids = [f.name for f in fields[1:] if f.name.endswith("_id") and f.dataType.typeName() == "string"]
    return (temporal + [n for n in ids if n not in temporal])[:limit]


class Runtime:
    """Builds a notebook's tables. `quality_table` (`${catalog}.<schema>.dbx_ts_quality`, with `quality_columns`)
    receives the counts; `run_id` tells this run's rows from earlier runs'."""

    def __init__(self, spark, dbutils, widgets, quality_table, quality_columns, run_id):
        self.spark, self.dbutils = spark, dbutils
        self.widgets = dict(widgets)
        check_catalog(self.widgets.get("catalog"))
        self.quality_table = self.q(quality_table)
        self.quality_columns = quality_columns
        self.run_id = run_id
        self.bad_files = []
        self._quality_ready = False

    def q(self, text):
        return substitute(text, self.widgets)

    def run_table(self, spec):
        print("Building %s (%s)" % (spec["name"], spec["kind"]))
        if spec["kind"] not in KINDS:
            # Never build a table as another kind than the one declared.
            raise ValueError("Table %s has kind %r, which is not a kind of table (streaming_table, materialized_view, view)" % (spec["name"], spec["kind"]))
        spec = dict(self.q(spec), quality_columns=self.quality_columns)
        if spec.get("metrics"):
            self._ensure_quality_table()
        if spec["kind"] == "view":
            self.spark.sql(spec["create"])
        elif spec["kind"] == "materialized_view":
            self.build_materialized(spec)
        else:
            self.build_streaming(spec)

    def _ensure_quality_table(self):
        if not self._quality_ready:
            self.spark.sql("CREATE TABLE IF NOT EXISTS %s (%s)" % (self.quality_table, self.quality_columns))
            self._quality_ready = True

    def build_materialized(self, spec):
        """Recomputes the table from its query; expectations are checked before anything is replaced."""
        try:
            quality_recorder(self.quality_table, self.run_id)(self.spark, spec, self.spark.sql(spec["query"]), 0)
        except RuntimeError as error:
            raise ExpectationFailed(str(error)) from None
        self.spark.sql(spec["create"])
        if spec.get("quarantine"):
            self.spark.sql(spec["quarantine"]["create"])

    def build_streaming(self, spec):
        """Processes what arrived since the last run (trigger availableNow), then stops."""
        reader = self.read_source(spec)
        before = self._history_version(spec) if spec["source"]["type"] == "files" else None
        if spec["simple"]:
            # Columns the table semantics add to file rows (file path, ingestion time), given as SQL.
            df = reader.selectExpr("*", *spec["metadata"]) if spec.get("metadata") else reader
            writer = df.writeStream
        else:
            for statement in spec["setup"]:
                self.spark.sql(statement)
            writer = reader.writeStream.foreachBatch(batch_writer(spec, self.quality_table, self.run_id))
        writer = writer.option("checkpointLocation", spec["checkpoint"]).trigger(availableNow=True)
        query = writer.toTable(spec["target"]) if spec["simple"] else writer.start()
        try:
            query.awaitTermination()
        except Exception as error:
            # A broken fail rule inside foreachBatch reaches here wrapped in the streaming query's error.
            broken = re.search(r"Expectation \S+ on \S+ failed for \d+ row\(s\); sample: .*", str(error))
            if broken:
                raise ExpectationFailed(broken.group(0)) from None
            raise
        for statement in spec.get("finish", []):
            self.spark.sql(statement)
        if before is not None:
            self._count_bad_files(spec, before)

    def read_source(self, spec):
        source = spec["source"]
        if source["type"] == "table":
            return self.spark.readStream.table(source["table"])
        reader = (
            self.spark.readStream.format("cloudFiles")
            .option("cloudFiles.format", source["format"])
            .option("cloudFiles.schemaLocation", spec["checkpoint"] + "/_schema")
        )
        for key, value in source["options"].items():
            # A declared file schema means no inference: an empty folder still gives an (empty) table.
            reader = reader.schema(value) if key.lower() == "schema" else reader.option(key, value)
        return reader.load(source["path"])

    def _history_version(self, spec):
        try:
            rows = self.spark.sql("DESCRIBE HISTORY %s LIMIT 1" % spec["target"]).collect()
        except Exception:  # the table does not exist yet
            return -1
        return int(rows[0]["version"]) if rows else -1

    def _count_bad_files(self, spec, before):
        """Files Auto Loader skipped as corrupt (ignoreCorruptFiles): counted from the table's history, reported."""
        rows = self.spark.sql("DESCRIBE HISTORY %s" % spec["target"]).where("version > %d" % before).select("operationMetrics").collect()
        skipped = sum(int((r["operationMetrics"] or {}).get("numSkippedCorruptFiles") or 0) for r in rows)
        if skipped:
            print("WARNING: %s: skipped %d corrupt or unreadable file(s) in %s" % (spec["name"], skipped, spec["source"]["path"]))
            self.bad_files.append({"dataset": spec["name"], "path": spec["source"]["path"], "files": skipped})

    def quality(self):
        """This run's counts per rule, summed over micro-batches by a DataFrame aggregation of the quality table."""
        if not self._quality_ready:
            return []
        from pyspark.sql import functions as F

        summed = (
            self.spark.table(self.quality_table)
            .where(F.col("run_id") == F.lit(self.run_id))
            .groupBy("dataset", "expectation", "action")
            .agg(
                F.sum("passed_records").alias("passed_records"),
                F.sum("failed_records").alias("failed_records"),
                F.sum("dropped_records").alias("dropped_records"),
            )
            .orderBy("dataset", "expectation")
        )
        return [{k: (int(v) if k.endswith("_records") else v) for k, v in r.asDict().items()} for r in summed.collect()]

    def report_quality(self):
        """Prints this run's quality and bad files and exits with them, for `dbx-ts run` and `show quality`."""
        import json

        metrics = self.quality()
        for m in metrics:
            print("%(dataset)s %(expectation)s [%(action)s]: %(passed_records)d passed, %(failed_records)d failed" % m)
        report = {"quality_metrics": metrics, "quality_table": self.quality_table, "run_id": self.run_id}
        if self.bad_files:
            report["bad_files"] = self.bad_files
        self.dbutils.notebook.exit(json.dumps({"dbx_ts": report}))

    def optimize_tables(self, refs):
        """Compacts each table's files and co-locates rows by the columns dashboards filter on."""
        for ref in refs:
            name = self.q(ref)
            columns = zorder_columns(self.spark.table(name).schema.fields)
            statement = "OPTIMIZE " + name
            if columns:
                statement += " ZORDER BY (" + ", ".join(quote_ident(c) for c in columns) + ")"
            print(statement)
            self.spark.sql(statement)
