# Data simulator for the dbx-ts simulate notebook, placed by the template's py_include.
# Generates the sales lakehouse's landing files (products, stores, promotions, batch and streaming sales) with
# a share of dirty rows the silver layer must catch, following the local simulator's conventions
# (../../simulator): code-style ids, sales in 2024, timestamps as text so bad ones can land, future rows
# in 2099, exact duplicates and late updates, and one batch file with an extra column Auto Loader must rescue.
# Pure and deterministic for a seed (its own PRNG stream, so not row-for-row the local simulator's); writing
# the files is the notebook's job.
import random
from datetime import date, datetime, timedelta

# (name, type) per column; the notebook maps the types to Parquet.
PRODUCT_COLUMNS = [("product_id", "string"), ("product_name", "string"), ("category", "string"), ("unit_cost", "double")]
STORE_COLUMNS = [("store_id", "string"), ("store_name", "string"), ("city", "string"), ("region", "string")]
PROMOTION_COLUMNS = [
    ("promotion_id", "string"),
    ("promo_name", "string"),
    ("discount_pct", "double"),
    ("start_date", "date"),
    ("end_date", "date"),
]
SALES_COLUMNS = [
    ("transaction_id", "string"),
    ("product_id", "string"),
    ("store_id", "string"),
    ("promotion_id", "string"),
    ("quantity", "int"),
    ("unit_price", "double"),
    ("transaction_ts", "string"),
    ("customer_id", "string"),
    ("channel", "string"),
]
DRIFT_COLUMN = ("coupon_code", "string")

CATEGORIES = ["Electronics", "Grocery", "Clothing", "Home", "Toys", "Sports", "Beauty", "Books"]
_ADJECTIVES = ["Classic", "Smart", "Eco", "Deluxe", "Compact", "Ultra", "Organic", "Pro"]
_NOUNS = ["Kettle", "Headphones", "Jacket", "Lamp", "Puzzle", "Racket", "Serum", "Novel", "Blender", "Backpack"]
_CITIES = [
    ("Seattle", "West"),
    ("Portland", "West"),
    ("Denver", "Mountain"),
    ("Austin", "South"),
    ("Atlanta", "South"),
    ("Chicago", "Midwest"),
    ("Detroit", "Midwest"),
    ("Boston", "Northeast"),
    ("New York", "Northeast"),
    ("Miami", "South"),
]
_PROMO_NAMES = ["Spring Sale", "Back to School", "Black Friday", "Holiday Deals", "Clearance", "Member Week"]
_CHANNELS = ["store", "online", "mobile"]
DIRTY_KINDS = [
    "null_required",
    "nonpositive_quantity",
    "nonpositive_price",
    "malformed_timestamp",
    "future_timestamp",
    "unknown_product",
    "unknown_store",
    "duplicate_exact",
    "late_update",
]
_MALFORMED_TIMESTAMPS = ["not-a-timestamp", "2024-13-45 25:61:00", "31/02/2024 10:00", "N/A", "2024-02-30 10:00:00", ""]
_PERIOD_START = datetime(2024, 1, 1)
_PERIOD_SECONDS = 366 * 86400


def product_code(n):
    return "P%04d" % n


def store_code(n):
    return "S%03d" % n


def promotion_code(n):
    return "PR%03d" % n


def _ts(value):
    return value.strftime("%Y-%m-%d %H:%M:%S")


def simulate(seed, sales_rows, files, dirty_rate, products=200, stores=25, promotions=12):
    """Returns {"files": {dataset: [[row, ...] per file]}, "dirty": {kind: count}}; rows are dicts."""
    rng = random.Random(seed)
    files = max(1, files)
    product_rows, list_price = [], {}
    for n in range(1, products + 1):
        category = rng.choice(CATEGORIES)
        if rng.random() < dirty_rate:  # feeds add case and whitespace noise, never a different word
            category = rng.choice(["  %s " % category.lower(), category.upper(), " %s\t" % category])
        cost = round(rng.uniform(2, 200), 2)
        list_price[product_code(n)] = round(cost * rng.uniform(1.2, 1.8), 2)
        product_rows.append(
            {
                "product_id": product_code(n),
                "product_name": "%s %s %d" % (rng.choice(_ADJECTIVES), rng.choice(_NOUNS), n),
                "category": category,
                "unit_cost": cost,
            }
        )
    store_rows = []
    for n in range(1, stores + 1):
        city, region = rng.choice(_CITIES)
        store_rows.append({"store_id": store_code(n), "store_name": "Store %03d %s" % (n, city), "city": city, "region": region})
    promotion_rows = []
    for n in range(1, promotions + 1):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 330))
        promotion_rows.append(
            {
                "promotion_id": promotion_code(n),
                "promo_name": "%s %d" % (rng.choice(_PROMO_NAMES), n),
                "discount_pct": float(rng.randint(5, 40)),  # a percentage: gold divides by 100
                "start_date": start,
                "end_date": start + timedelta(days=rng.randint(7, 45)),
            }
        )

    dirty = {kind: 0 for kind in DIRTY_KINDS}
    sequence = [0]
    product_ids = [p["product_id"] for p in product_rows]
    store_ids = [s["store_id"] for s in store_rows]
    promotion_ids = [p["promotion_id"] for p in promotion_rows]

    def clean_row():
        sequence[0] += 1
        product = rng.choice(product_ids)
        return {
            "transaction_id": "T%010d" % sequence[0],
            "product_id": product,
            "store_id": rng.choice(store_ids),
            "promotion_id": rng.choice(promotion_ids) if rng.random() < 0.3 else None,
            "quantity": rng.randint(1, 10),
            "unit_price": round(list_price[product] * rng.uniform(0.9, 1.1), 2),
            "transaction_ts": _ts(_PERIOD_START + timedelta(seconds=rng.randint(0, _PERIOD_SECONDS - 1))),
            "customer_id": "C%06d" % rng.randint(1, 5000),
            "channel": rng.choice(_CHANNELS),
        }

    def sales(count):
        rows, pool = [], []
        for _ in range(count):
            kind = rng.choice(DIRTY_KINDS) if rng.random() < dirty_rate else None
            if kind in ("duplicate_exact", "late_update") and pool:
                original = pool.pop(rng.randrange(len(pool)))
                row = dict(original)
                if kind == "late_update":
                    row["quantity"] = original["quantity"] % 10 + 1
                    later = datetime.strptime(original["transaction_ts"], "%Y-%m-%d %H:%M:%S")
                    row["transaction_ts"] = _ts(later + timedelta(minutes=rng.randint(1, 720)))
                dirty[kind] += 1
                rows.append(row)
                continue
            row = clean_row()
            if kind is None or kind in ("duplicate_exact", "late_update"):
                pool.append(row)  # no earlier row to copy yet: this slot stays clean
            else:
                _spoil(rng, row, kind, len(product_ids), len(store_ids))
                dirty[kind] += 1
            rows.append(row)
        return _split(rows, files)

    batch_rows = sales_rows // 2
    sales_batch = sales(batch_rows)
    sales_stream = sales(sales_rows - batch_rows)
    # The last batch file drifts (never the first: Auto Loader infers the schema from the earliest file).
    if files >= 2:
        for row in sales_batch[-1]:
            row[DRIFT_COLUMN[0]] = "SAVE%d" % rng.randint(5, 30)
    return {
        "files": {
            "products": [product_rows],
            "stores": [store_rows],
            "promotions": [promotion_rows],
            "sales_batch": sales_batch,
            "sales_stream": sales_stream,
        },
        "dirty": dirty,
    }


def _spoil(rng, row, kind, products, stores):
    if kind == "null_required":
        row[rng.choice(["product_id", "store_id", "quantity"])] = None
    elif kind == "nonpositive_quantity":
        row["quantity"] = -rng.randint(0, 5)
    elif kind == "nonpositive_price":
        row["unit_price"] = 0.0 if rng.random() < 0.5 else -round(rng.uniform(0.5, 50), 2)
    elif kind == "malformed_timestamp":
        row["transaction_ts"] = rng.choice(_MALFORMED_TIMESTAMPS)
    elif kind == "future_timestamp":
        row["transaction_ts"] = _ts(datetime(2099, 1, 1) + timedelta(seconds=rng.randint(0, 300 * 86400)))
    elif kind == "unknown_product":
        row["product_id"] = product_code(products + 1000 + rng.randint(0, 999))
    elif kind == "unknown_store":
        row["store_id"] = store_code(stores + 1000 + rng.randint(0, 999))


def _split(rows, files):
    size = -(-len(rows) // files) if rows else 0
    return [rows[i * size : (i + 1) * size] for i in range(files)]


def columns_of(dataset, rows):
    columns = {
        "products": PRODUCT_COLUMNS,
        "stores": STORE_COLUMNS,
        "promotions": PROMOTION_COLUMNS,
        "sales_batch": SALES_COLUMNS,
        "sales_stream": SALES_COLUMNS,
    }[dataset]
    if rows and DRIFT_COLUMN[0] in rows[0]:
        return columns + [DRIFT_COLUMN]
    return columns
