"""A generated sembako catalogue of any size: plausible names, valid EAN-13 codes, some loose goods."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from kkmp_pos.domain.text import search_key

HEADER = ("sku", "barcode", "name", "category", "unit", "price", "member_price", "het_per_unit", "het_source",
          "ppn", "sold_by_weight", "lpg_kind", "cost_price")


@dataclass(frozen=True, slots=True)
class Kind:
    """A shelf of look-alike goods: `noun brand variant size`, priced within a range."""

    category: str
    noun: str
    brands: tuple[str, ...]
    variants: tuple[str, ...]
    sizes: tuple[str, ...]
    unit: str
    price_range: tuple[int, int]
    ppn: str = "bebas"
    het: bool = False


PACKAGED: tuple[Kind, ...] = (
    Kind("Beras", "Beras", ("Bulog SPHP", "Rojolele", "Pandan Wangi", "Cap Bunga", "Mentik Wangi", "Ramos"),
         ("Medium", "Premium", "Super", "Pulen"), ("2,5 kg", "5 kg", "10 kg", "25 kg"), "pak", (30_000, 350_000),
         het=True),
    Kind("Minyak Goreng", "Minyak Goreng", ("Minyakita", "Bimoli", "Sania", "Filma", "Tropical", "Fortune"),
         ("Pouch", "Botol", "Jeriken", "Refill"), ("900 ml", "1 L", "2 L", "5 L"), "pcs", (15_000, 95_000),
         het=True),
    Kind("Gula", "Gula Pasir", ("Gulaku", "Rose Brand", "Gunung Madu", "SPHP", "Claris"),
         ("Putih", "Premium", "Kuning", "Tebu"), ("500 g", "1 kg", "2 kg"), "pcs", (9_000, 40_000), het=True),
    Kind("Tepung", "Tepung Terigu", ("Segitiga Biru", "Cakra Kembar", "Kunci Biru", "Rose Brand", "Bogasari"),
         ("Serbaguna", "Protein Tinggi", "Protein Sedang"), ("500 g", "1 kg"), "pcs", (7_000, 18_000)),
    Kind("Mie Instan", "Mie", ("Indomie", "Mie Sedaap", "Sarimi", "Supermi", "Lemonilo", "Gaga"),
         ("Goreng", "Soto", "Kari Ayam", "Ayam Bawang", "Rendang", "Cabe Ijo", "Kaldu Ayam", "Goreng Pedas"),
         ("70 g", "75 g", "85 g", "90 g", "isi 5", "1 Dus (40 pcs)"), "pcs", (2_500, 130_000)),
    Kind("Bumbu", "Kecap Manis", ("Bango", "ABC", "Sedaap", "Indofood", "Nasional"),
         ("Original", "Pedas", "Refill"), ("135 ml", "220 ml", "520 ml", "600 ml"), "pcs", (4_000, 30_000)),
    Kind("Bumbu", "Saus Sambal", ("ABC", "Indofood", "Del Monte", "Belibis"),
         ("Extra Pedas", "Original", "Tomat"), ("135 ml", "335 ml", "1 kg"), "pcs", (5_000, 35_000)),
    Kind("Bumbu", "Penyedap", ("Sasa", "Masako", "Royco", "Ajinomoto", "Totole"),
         ("Ayam", "Sapi", "Jamur", "Original"), ("8 g", "100 g", "250 g", "1 kg"), "pcs", (500, 40_000)),
    Kind("Susu", "Susu Kental Manis", ("Frisian Flag", "Indomilk", "Carnation", "Omela"),
         ("Putih", "Cokelat", "Gold"), ("Sachet 40 g", "370 g", "490 g"), "pcs", (1_500, 16_000)),
    Kind("Susu", "Susu Bubuk", ("Dancow", "Bendera", "Indomilk", "Milo"),
         ("Full Cream", "Cokelat", "Instan"), ("27 g", "400 g", "800 g"), "pcs", (2_000, 120_000)),
    Kind("Minuman", "Kopi", ("Kapal Api", "ABC", "Good Day", "Torabika", "Luwak White Koffie", "Nescafe"),
         ("Bubuk", "Susu", "Mocca", "Cappuccino", "Special Mix"), ("Sachet", "isi 10", "165 g", "380 g"),
         "pcs", (1_500, 45_000)),
    Kind("Minuman", "Teh", ("Sariwangi", "Sosro", "Tong Tji", "Teh Pucuk Harum", "2Tang", "Frestea"),
         ("Celup", "Melati", "Botol", "Kotak"), ("25 s", "350 ml", "500 ml", "50 s"), "pcs", (3_000, 25_000)),
    Kind("Minuman", "Air Mineral", ("Aqua", "Le Minerale", "Club", "Cleo", "Ades"),
         ("Botol", "Gelas", "Galon"), ("220 ml", "600 ml", "1,5 L", "19 L"), "pcs", (500, 60_000)),
    Kind("Kebersihan", "Sabun Mandi", ("Lifebuoy", "Lux", "Giv", "Nuvo", "Dettol", "Shinzui"),
         ("Batang", "Cair", "Refill"), ("75 g", "110 g", "400 ml", "825 ml"), "pcs", (3_000, 45_000), ppn="kena"),
    Kind("Kebersihan", "Deterjen", ("Rinso", "So Klin", "Daia", "Attack", "Surf", "Boom"),
         ("Bubuk", "Cair", "Anti Noda", "Lavender"), ("Sachet", "770 g", "800 ml", "1,8 kg"), "pcs",
         (1_000, 55_000), ppn="kena"),
    Kind("Kebersihan", "Pencuci Piring", ("Sunlight", "Mama Lemon", "Cream Sabun Ekonomi", "Wings"),
         ("Jeruk Nipis", "Lemon", "Anti Bau"), ("210 ml", "400 g", "755 ml"), "pcs", (2_500, 25_000), ppn="kena"),
    Kind("Kebersihan", "Pasta Gigi", ("Pepsodent", "Ciptadent", "Formula", "Close Up", "Sensodyne"),
         ("Pencegah Gigi Berlubang", "Herbal", "Whitening"), ("75 g", "120 g", "190 g"), "pcs", (4_000, 40_000),
         ppn="kena"),
    Kind("Lauk", "Sarden", ("ABC", "Botan", "Maya", "Gaga", "King's Fisher"),
         ("Saus Tomat", "Saus Cabai"), ("155 g", "425 g"), "pcs", (8_000, 30_000)),
    Kind("Lauk", "Kornet", ("Pronas", "Bernardi", "Cip"), ("Sapi", "Ayam"), ("198 g", "340 g"), "pcs",
         (15_000, 45_000)),
    Kind("Makanan Ringan", "Biskuit", ("Roma", "Khong Guan", "Regal", "Marie", "Nissin", "Slai O'Lai"),
         ("Kelapa", "Cokelat", "Sandwich", "Kaleng"), ("115 g", "230 g", "300 g", "1,6 kg"), "pcs",
         (3_000, 95_000)),
)

LOOSE: tuple[Kind, ...] = (
    Kind("Beras", "Beras Curah", ("Lokal", "Kutai", "Sulawesi", "Jawa"), ("Medium", "Premium", "Pera"), (), "kg",
         (12_000, 16_000), het=True),
    Kind("Gula", "Gula Pasir Curah", ("Lokal", "Impor"), ("Putih", "Kuning"), (), "kg", (15_000, 19_000), het=True),
    Kind("Minyak Goreng", "Minyak Goreng Curah", ("Sawit",), ("Bening", "Super"), (), "liter", (14_000, 18_000),
         het=True),
    Kind("Telur", "Telur Ayam", ("Ras", "Kampung", "Omega"), ("Besar", "Sedang", "Kecil"), (), "kg",
         (26_000, 40_000)),
    Kind("Bumbu", "Bawang", ("Merah", "Putih", "Bombay"), ("Brebes", "Lokal", "Impor", "Super"), (), "kg",
         (25_000, 60_000)),
    Kind("Bumbu", "Cabai", ("Rawit", "Merah Keriting", "Hijau"), ("Segar", "Super"), (), "kg", (30_000, 90_000)),
    Kind("Lauk", "Ikan Asin", ("Teri", "Peda", "Gabus", "Sepat"), ("Medan", "Lokal", "Tawar"), (), "kg",
         (40_000, 150_000)),
)

EXTRAS = ("", "", "", "", "Promo", "Hemat", "Kemasan Baru", "Jumbo", "Mini", "Ekonomis", "Isi Ulang", "Spesial",
          "Bundling", "Harga Grosir", "Edisi Ramadan")

LOOSE_SHARE = 0.03
"""About 3 in 100 entries are weighed goods (beras, gula, telur, bawang curah) with no barcode."""

SECOND_BARCODE_SHARE = 0.08
"""Some products carry a second code (a new package, or the outlet's own label)."""


@dataclass(frozen=True, slots=True)
class GeneratedCatalog:
    """The CSV text plus what a bench needs to exercise it: the codes and the names."""

    csv_text: str
    barcodes: list[str]
    names: list[str]
    loose_skus: list[str]

    @property
    def product_count(self) -> int:
        return len(self.names)


def ean13(first12: str) -> str:
    """Append the EAN-13 check digit to 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def random_ean13(rng: random.Random, prefix: str = "899") -> str:
    """A valid EAN-13; 899 is Indonesia's GS1 prefix, as on most goods in a gerai."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(12 - len(prefix)))
    return ean13(body)


def _round_price(value: float, step: int = 100) -> int:
    return max(step, int(value // step) * step)


def _product_row(rng: random.Random, kind: Kind, number: int, loose: bool,
                 used_codes: set[str]) -> tuple[list[str], list[str], str]:
    brand, variant = rng.choice(kind.brands), rng.choice(kind.variants)
    words = [kind.noun, brand, variant]
    # Sizes are listed smallest first: a bigger pack costs more, within the kind's range.
    share = (0.0, 1.0)
    if kind.sizes:
        index = rng.randrange(len(kind.sizes))
        words.append(kind.sizes[index])
        share = (index / len(kind.sizes), (index + 1) / len(kind.sizes))
    extra = rng.choice(EXTRAS)
    if extra:
        words.append(extra)
    name = " ".join(words)
    low, high = kind.price_range
    price = _round_price(rng.uniform(low + (high - low) * share[0], low + (high - low) * share[1]),
                         500 if high > 50_000 else 100)
    member = _round_price(price * rng.uniform(0.95, 1.0))
    het = price + _round_price(rng.uniform(0, price * 0.05)) if kind.het else None
    cost = _round_price(price * rng.uniform(0.82, 0.93))
    codes: list[str] = []
    if not loose:
        wanted = 2 if rng.random() < SECOND_BARCODE_SHARE else 1
        while len(codes) < wanted:
            code = random_ean13(rng)
            if code not in used_codes:
                used_codes.add(code)
                codes.append(code)
    row = [
        f"GEN-{number:06d}", "|".join(codes), name, kind.category, kind.unit, str(price), str(member),
        str(het) if het is not None else "", "HET generator (bench)" if het is not None else "", kind.ppn,
        "1" if loose else "0", "", str(cost),
    ]
    return row, codes, name


def generate_catalog(count: int, seed: int = 2026) -> GeneratedCatalog:
    """`count` products in the sample CSV's columns; the same seed gives the same file."""
    rng = random.Random(seed)
    used_codes: set[str] = set()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    barcodes: list[str] = []
    names: list[str] = []
    loose_skus: list[str] = []
    for number in range(1, count + 1):
        loose = rng.random() < LOOSE_SHARE
        kind = rng.choice(LOOSE if loose else PACKAGED)
        row, codes, name = _product_row(rng, kind, number, loose, used_codes)
        writer.writerow(row)
        barcodes.extend(codes)
        names.append(name)
        if loose:
            loose_skus.append(row[0])
    return GeneratedCatalog(csv_text=buffer.getvalue(), barcodes=barcodes, names=names, loose_skus=loose_skus)


def unknown_barcodes(rng: random.Random, known: set[str], count: int) -> list[str]:
    """Valid EAN-13 codes that are not in the catalogue (a new product the outlet has not entered yet)."""
    codes: list[str] = []
    while len(codes) < count:
        code = random_ean13(rng)
        if code not in known:
            codes.append(code)
    return codes


def search_queries(rng: random.Random, names: list[str], count: int) -> list[str]:
    """What a cashier types: the start (2..8 characters) of a word in a real name, sometimes two words."""
    queries: list[str] = []
    while len(queries) < count:
        words = [w for w in search_key(rng.choice(names)).split() if len(w) >= 2 and not w[0].isdigit()]
        if not words:
            continue
        word = rng.choice(words)
        query = word[:rng.randint(2, min(8, len(word)))]
        if len(query) >= 3 and rng.random() < 0.2:
            other = rng.choice(words)
            if other != word:
                query = f"{query} {other[:rng.randint(3, min(8, max(3, len(other))))]}"
        queries.append(query)
    return queries
