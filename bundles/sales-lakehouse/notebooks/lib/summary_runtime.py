# Summary runtime for the dbx-ts summary notebook, placed by the template's py_include.
# A line-by-line port of ../../summary (metrics.ts metricsFromRows, prompt.ts summaryPromptVariables, format.ts,
# values.ts) so the notebook builds the same metrics, prompt text and metrics JSON as the local engine.
# tests/bundles/sales-lakehouse/notebooks-summary.test.ts runs both on the same rows and compares the results.
import json
import math
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

_EPSILON = 2.220446049250313e-16  # JavaScript's Number.EPSILON


def js_round(value):
    """Math.round: halves round up (towards +infinity); values in [-0.5, 0) give -0, as in JavaScript."""
    rounded = math.floor(value + 0.5)
    if rounded == 0 and math.copysign(1.0, value) < 0:
        return -0.0
    return rounded


def round_to(value, decimals):
    factor = 10**decimals
    return js_round((value + _EPSILON) * factor) / factor


def to_number(value):
    """A finite number from a SQL value; NULL and unparseable values become 0 (values.ts toNumber)."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else 0
    if isinstance(value, Decimal):
        return float(value)
    text = str(value).strip()
    if text == "":
        return 0
    try:
        parsed = float(text)
    except ValueError:
        return 0
    return parsed if math.isfinite(parsed) else 0


def js_number_text(value):
    """String(number) for the numbers SQL returns: integral values without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def to_timestamp_text(value):
    """`YYYY-MM-DD HH:MM:SS[.fff]`, or None for NULL (values.ts toTimestampText)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        millis = value.microsecond // 1000
        return value.strftime("%Y-%m-%d %H:%M:%S") + ("" if millis == 0 else ".%03d" % millis)
    text = str(value).replace("T", " ", 1)
    return text[:-1] if text.endswith("Z") else text


def to_text(value, fallback=""):
    if value is None:
        return fallback
    if isinstance(value, datetime):
        return to_timestamp_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return js_number_text(value)
    return str(value)


def money(value):
    return round_to(to_number(value), 2)


def _decimal_text(value, places):
    """Intl.NumberFormat en-US digits: the exact binary value rounded half away from zero, grouped by 3."""
    quantum = Decimal(1).scaleb(-places)
    d = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if d.is_signed() else ""
    return sign, format(abs(d), ",." + str(places) + "f")


def format_money(value):
    sign, digits = _decimal_text(value, 2)
    return sign + "$" + digits


def format_count(value):
    sign, digits = _decimal_text(value, 0)
    return sign + digits


def format_percent(value):
    sign, digits = _decimal_text(value, 1)
    return sign + digits + "%"


def format_change(change_pct):
    if change_pct > 0:
        return "up " + format_percent(change_pct)
    if change_pct < 0:
        return "down " + format_percent(-change_pct)
    return "flat"


def metrics_from_rows(totals, categories, stores, products, daily):
    """Shapes the metric queries' rows (dicts) into the SalesMetrics of metrics.ts, key for key."""
    latest = daily[0] if daily else None
    day_over_day = None
    if latest is not None and latest.get("previous_date") is not None:
        change = latest.get("change_pct")
        day_over_day = {
            "date": to_text(latest.get("sales_date")),
            "previous_date": to_text(latest.get("previous_date")),
            "revenue": money(latest.get("revenue")),
            "previous_revenue": money(latest.get("previous_revenue")),
            "change_pct": None if change is None else round_to(to_number(change), 1),
        }
    return {
        "period_start": to_timestamp_text(totals.get("period_start")),
        "period_end": to_timestamp_text(totals.get("period_end")),
        "total_revenue": money(totals.get("total_revenue")),
        "transactions": to_number(totals.get("transactions")),
        "units": to_number(totals.get("units")),
        "average_order_value": money(totals.get("average_order_value")),
        "revenue_by_category": [
            {
                "category": to_text(r.get("category"), "Unknown"),
                "revenue": money(r.get("revenue")),
                "units": to_number(r.get("units")),
                "share_pct": round_to(to_number(r.get("share_pct")), 1),
            }
            for r in categories
        ],
        "top_stores": [
            {
                "store_id": to_text(r.get("store_id")),
                "store_name": to_text(r.get("store_name"), to_text(r.get("store_id"))),
                "city": to_text(r.get("city")),
                "region": to_text(r.get("region")),
                "revenue": money(r.get("revenue")),
                "transactions": to_number(r.get("transactions")),
            }
            for r in stores
        ],
        "top_products": [
            {
                "product_id": to_text(r.get("product_id")),
                "product_name": to_text(r.get("product_name"), to_text(r.get("product_id"))),
                "category": to_text(r.get("category"), "Unknown"),
                "revenue": money(r.get("revenue")),
                "units": to_number(r.get("units")),
            }
            for r in products
        ],
        "daily_revenue": [
            {
                "date": to_text(r.get("sales_date")),
                "revenue": money(r.get("revenue")),
                "transactions": to_number(r.get("transactions")),
            }
            for r in reversed(daily)
        ],
        "day_over_day": day_over_day,
    }


def summary_prompt_variables(m):
    """The prompt's placeholder values (prompt.ts summaryPromptVariables)."""

    def lines(items):
        return "\n".join(items) if items else "- (none)"

    dod = m["day_over_day"]
    if not dod:
        dod_text = "not enough days of sales to compare"
    elif dod["change_pct"] is None:
        dod_text = "%s: %s against no revenue on %s" % (dod["date"], format_money(dod["revenue"]), dod["previous_date"])
    else:
        dod_text = "%s: %s, %s on %s (%s)" % (
            dod["date"],
            format_money(dod["revenue"]),
            format_change(dod["change_pct"]),
            dod["previous_date"],
            format_money(dod["previous_revenue"]),
        )
    return {
        "period_start": m["period_start"] if m["period_start"] is not None else "n/a",
        "period_end": m["period_end"] if m["period_end"] is not None else "n/a",
        "total_revenue": format_money(m["total_revenue"]),
        "transactions": format_count(m["transactions"]),
        "units": format_count(m["units"]),
        "average_order_value": format_money(m["average_order_value"]),
        "category_lines": lines(
            [
                "- %s: %s (%s of revenue, %s units)"
                % (c["category"], format_money(c["revenue"]), format_percent(c["share_pct"]), format_count(c["units"]))
                for c in m["revenue_by_category"]
            ]
        ),
        "store_lines": lines(
            [
                "- %s (%s): %s, %s transactions"
                % (
                    s["store_name"],
                    ", ".join(x for x in (s["city"], s["region"]) if x),
                    format_money(s["revenue"]),
                    format_count(s["transactions"]),
                )
                for s in m["top_stores"]
            ]
        ),
        "product_lines": lines(
            [
                "- %s (%s): %s, %s units"
                % (p["product_name"], p["category"], format_money(p["revenue"]), format_count(p["units"]))
                for p in m["top_products"]
            ]
        ),
        "trend_lines": lines(
            [
                "- %s: %s (%s transactions)" % (d["date"], format_money(d["revenue"]), format_count(d["transactions"]))
                for d in m["daily_revenue"]
            ]
        ),
        "day_over_day": dod_text,
    }


_STANDALONE_COMMENT = re.compile(r"^[ \t]*\{\{!(?:--[\s\S]*?--|[^}]*)\}\}[ \t]*(?:\r?\n|$)", re.MULTILINE)
_INLINE_COMMENT = re.compile(r"\{\{!(?:--[\s\S]*?--|[^}]*)\}\}")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render_prompt(template, variables):
    """Fills the prompt template as handlebars does with noEscape and strict: comments removed (a comment
    alone on its lines takes them along), each {{name}} replaced once, a missing name an error."""
    text = _INLINE_COMMENT.sub("", _STANDALONE_COMMENT.sub("", template))

    def fill(match):
        name = match.group(1)
        if name not in variables:
            raise KeyError("The prompt template uses {{%s}}, which has no value" % name)
        return variables[name]

    return _PLACEHOLDER.sub(fill, text).strip() + "\n"


def plain_json(value):
    """Values as JSON.stringify writes them: integral floats without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    return value


def metrics_json(metrics):
    return json.dumps(plain_json(metrics), separators=(",", ":"), ensure_ascii=False)


def redact(text, secret):
    return text.replace(secret, "***") if secret else text


def check_base_url(url):
    """https only, except loopback addresses (llm-endpoint.ts)."""
    match = re.fullmatch(r"(https?)://([^/@]+?)(:\d+)?(/.*)?", url or "")
    if not match:
        raise ValueError("The OpenAI base URL is not a valid http(s) URL without credentials")
    scheme, host = match.group(1), match.group(2).lower()
    loopback = host in ("localhost", "[::1]") or re.fullmatch(r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}", host)
    if scheme != "https" and not loopback:
        raise ValueError("The OpenAI base URL must use https (plain http only for loopback addresses)")
    return url.rstrip("/")


OFFLINE_MODEL = "offline-template"


def offline_summary_text(m):
    """The summary without an LLM (offline-summary.ts offlineSummaryText), sentence for sentence."""
    if not m["transactions"]:
        return "No sales are recorded in the gold sales table yet, so there is nothing to summarise."
    period = "from %s to %s" % (m["period_start"][:10], m["period_end"][:10]) if m["period_start"] and m["period_end"] else "in the period"
    sentences = [
        "Sales %s totalled %s across %s transactions (%s units, average order value %s)."
        % (period, format_money(m["total_revenue"]), format_count(m["transactions"]), format_count(m["units"]), format_money(m["average_order_value"]))
    ]
    categories = m["revenue_by_category"]
    if categories:
        first = categories[0]
        runner_up = ", followed by %s at %s" % (categories[1]["category"], format_money(categories[1]["revenue"])) if len(categories) > 1 else ""
        sentences.append(
            "%s led the categories with %s (%s of revenue)%s."
            % (first["category"], format_money(first["revenue"]), format_percent(first["share_pct"]), runner_up)
        )
    if m["top_stores"] and m["top_products"]:
        store, product = m["top_stores"][0], m["top_products"][0]
        sentences.append(
            "The top store was %s%s with %s, and the best-selling product was %s with %s from %s units."
            % (store["store_name"], " in " + store["city"] if store["city"] else "", format_money(store["revenue"]), product["product_name"], format_money(product["revenue"]), format_count(product["units"]))
        )
    dod = m["day_over_day"]
    if dod:
        if dod["change_pct"] is None:
            sentences.append("Revenue on %s was %s, after no revenue on %s." % (dod["date"], format_money(dod["revenue"]), dod["previous_date"]))
        else:
            sentences.append(
                "Revenue on %s was %s, %s on %s (%s)."
                % (dod["date"], format_money(dod["revenue"]), format_change(dod["change_pct"]), dod["previous_date"], format_money(dod["previous_revenue"]))
            )
    return " ".join(sentences)


def summarize(prompt, metrics, read_key, model, base_url, timeout_seconds, max_retries, on_failure):
    """The LLM's summary; with no key or no answer (no egress, an API error), the offline summary and a warning,
    unless on_failure is "fail". read_key is called once: the key is never kept or printed."""
    try:
        api_key = read_key()
    except Exception as error:  # a missing scope or key reads as no key
        api_key = None
        reason = "the OpenAI API key could not be read (%s)" % type(error).__name__
    else:
        reason = "no OpenAI API key is set" if not api_key else None
    if api_key:
        try:
            return complete_chat(prompt, api_key, model, base_url, timeout_seconds, max_retries) + (None,)
        except Exception as error:
            reason = redact(str(error), api_key)
        finally:
            api_key = None
    if on_failure == "fail":
        raise RuntimeError("No LLM summary: %s" % reason)
    warning = "Writing the offline summary instead of an LLM one: %s" % reason
    return offline_summary_text(metrics), OFFLINE_MODEL, warning


def complete_chat(prompt, api_key, model, base_url, timeout_seconds, max_retries):
    """One chat completion; errors never carry the key."""
    from openai import OpenAI

    client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries)
    try:
        completion = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    except Exception as error:  # the SDK's errors are many; each is reported the same way
        raise RuntimeError("OpenAI call failed: %s" % redact(str(error), api_key)) from None
    text = (completion.choices[0].message.content or "").strip() if completion.choices else ""
    if not text:
        raise RuntimeError("OpenAI returned no summary text (model %s)" % model)
    return text, completion.model or model
