"""Registry of the raw files the build reads: where they come from and how to check them.

Every file has a path relative to ``data/raw`` (the same layout as the offline mirror in
``../shared/data/raw``), its publisher, the date its numbers refer to, and where a user gets
it: a direct official URL when the publisher has a stable one, otherwise the publisher's
product page (ČSÚ re-versions its file links with every release, see SOURCES.md).
``size`` and ``sha256`` pin the exact copy the mirror holds; a download of a newer
release from the publisher is checked against the server's ``Content-Length`` instead and
validated by the build.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawFile:
    """One raw file of a dataset.

    A file without ``size`` and ``sha256`` is not pinned: a publisher's export that changes
    daily (the MPSV register) and that no mirror holds. It has a ``url``; ``kpss data fetch
    --online`` downloads it and the build validates its content.
    """

    path: str
    size: int | None = None
    sha256: str | None = None
    url: str | None = None

    @property
    def pinned(self) -> bool:
        return self.size is not None


@dataclass(frozen=True)
class Dataset:
    """A dataset as the build uses it; ``vintage`` is the date the numbers describe."""

    key: str
    title: str
    publisher: str
    vintage: str
    files: tuple[RawFile, ...]
    citation: str = ""
    page: str | None = None
    note: str = ""
    #: The files' download links are read from ``page`` (``{year}`` filled in per file): the
    #: first .xlsx link whose text or table row contains this text.
    link_text: str | None = None


_CZSO = "Český statistický úřad (ČSÚ)"

_YEARLY_OBCE = {
    2004: (437030, "d1ca48c012db682290561cf0caf828bee1d7474aee669872d2d283462fae0392"),
    2005: (593818, "54636accdace09c1be03462869cd7f598d641112a043342f65debcc9f0c99fdc"),
    2006: (591969, "b4440162980280019ac85f50ac77a28f1aa9117d1100014ed597484cc7dbcada"),
    2007: (590898, "c73d030802e8238604cfd5f02fb4f010f5032e21a0725fcab2d670207f8cbb7a"),
    2008: (591508, "78ac915a299614179b5d925949cbdaaa8ee7cf991e32c2350f15d182e1287e91"),
    2009: (590661, "01df698b50e661a60708ea435f54aeca946c1ab51c8e3ca56cdffb9f951e0614"),
    2010: (590259, "f13bb88b29b32a0b990322cae3d0ddb6ead38f9fcd2dccd654dcde5172557393"),
    2011: (597028, "35c68161998cfbd65c8b1ba4775eff2836c9261ea08ecffe23e64410f15487c0"),
    2012: (596363, "122987b2d7cfad9042678147635f069a05ff33424617a278cce22e96e57ee819"),
    2013: (596820, "141125c3f476b2022289ffad286be4dd160d579c0179c4ac2237f12a8d9f36c2"),
    2014: (597391, "7befc01211bfd7aec79d402ce353052248c91565e717a0737192e60bf2b3eb9e"),
    2015: (597516, "a6bf70bf3d54ae2fb33ebed94aa229e4a633909ab31803e7b1ab57166f84246c"),
    2016: (598462, "9aa10b26fc1d14d136173601ac17e29d5127ded9c803c9818d6938ae3828fc96"),
    2017: (650378, "d14c0a9686108edcf9617a2e30c3189b9d57a9e294e82f52b1fbf5cf67b39c27"),
    2018: (594515, "3218c3d2209a367b3b277041ce22785f324717b34a8f0da32764a750207a1a6e"),
    2019: (596966, "57379d56e8d6b96c24b68a61827784bb4c34534ab3e234428913d08805e11b29"),
    2020: (597065, "85f6500a1fc186d79a13dd17ce2a2edb2e81719e5ff303122322e735b5c88344"),
    2021: (597620, "15d3e64280a56aa932bbace85c2b9421c2e2b0f1a2efa700726863de9ee538bf"),
    2022: (604024, "265073cbdd75dbf1ac1335e13b7b979d93a9a792916e386d8474196ec485db3c"),
    2023: (605987, "cfcc213c587085c85c2bf83d807a98c3d2d89530b8828265311dcda9f718f551"),
    2024: (605745, "3232f5d63d5a89a64fdfa7c6624fa4ed7b50187c97ea173b9d52d31237d1b8d7"),
}

#: Years of the ČSÚ publication "Počet obyvatel v obcích k 1. 1." held by the registry.
POPULATION_YEARS = tuple(sorted(_YEARLY_OBCE))

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        key="territory",
        citation="ČSÚ, číselníky a vazby územních jednotek (stav 2024)",
        title="Číselníky a vazby územních jednotek (obce, SO ORP, okresy, kraje)",
        publisher=_CZSO,
        vintage="2024",
        page="https://apl.czso.cz/iSMS/cs/cislist.jsp",
        note="Vazby 2024: SO ORP–obec (65–43), obec–okres (43–101), kraj–SO ORP (108–65); "
        "číselníky krajů (100) a okresů (101) s kódy RÚIAN; RÚIAN export SO ORP 19. 8. 2024.",
        files=(
            RawFile("territory/VAZ0065_0043_CS_2024.csv", 559418,
                    "18e2f9657902c1d30712d584911887f301bb305227251bbf8f5209792c81b967"),
            RawFile("territory/VAZ0043_0101_CS_2024.csv", 600757,
                    "1d262ca0bbf9d92fbd6c2a7f47fb77276553136a2cbd4727a7fdb8faf84e3605"),
            RawFile("territory/VAZ0108_0065_CS_2024.csv", 22871,
                    "1d132d556592e9dc4fb416aabf2ed18b8cf087af62dde63decfd2cbced05818f"),
            RawFile("territory/rczechia_2020_CIS0100_CS.csv", 1710,
                    "eed61e1dfc1257feacfe211c0cc4cfde26a0175a455a0bf788ed16c4018c944d"),
            RawFile("territory/rczechia_2020_CIS0101_CS.csv", 8641,
                    "bb05ba95ad9172695fd1505ee00f03582c1dec12aed981741f584cf6175544f5"),
            RawFile("territory/ORP20240819_ruian.csv", 11093,
                    "a444b8461aa4ec4382cd61a134d569e8d67efa613ea04819f025fbe0c696b217"),
        ),
    ),
    Dataset(
        key="age_structure",
        citation="ČSÚ, Věkové složení obyvatelstva obcí (stav k 31. 12. 2020)",
        title="Věkové složení obyvatelstva obcí (pětileté skupiny, u obcí od 1 000 obyvatel jednotky věku)",
        publisher=_CZSO,
        vintage="2020-12-31",
        page="https://csu.gov.cz/produkty/vekove-slozeni-obyvatelstva",
        files=(
            RawFile("population/raw_xlsx/2020_vek_do_999.xlsx", 1740511,
                    "238979699b8d4bf6648ae10f532395d2946bd6c3c28c403b8a663790db46256b"),
            RawFile("population/raw_xlsx/2020_vek_nad_1000.xlsx", 2352157,
                    "a182004ebf893826849110a2d62b61f87334d432f6fd9b621b634377202a4637"),
        ),
    ),
    Dataset(
        key="age1_okres",
        citation="ČSÚ, Obyvatelstvo podle jednotek věku (okresy, kraje, ČR; stav k 31. 12. 2020)",
        title="Obyvatelstvo podle jednotek věku – okresy, kraje a ČR (obě pohlaví)",
        publisher=_CZSO,
        vintage="2020-12-31",
        page="https://csu.gov.cz/produkty/obyvatelstvo-podle-jednotek-veku-a-pohlavi",
        note="Převzato z projektu msusicky/ockovani-covid (data/populace.csv); okresy v hranicích před 1. 1. 2021.",
        files=(
            RawFile("population/kraje_okresy_vek1_2020-12-31_ockovani.csv", 48497,
                    "092f4852d9eb9727683c6aef638423966293c54b39d515bbf50ebf69e0fd22b8"),
        ),
    ),
    Dataset(
        key="population_totals",
        citation="ČSÚ, Počet obyvatel v obcích k 1. 1. 2004–2024",
        title="Počet obyvatel v obcích České republiky k 1. 1.",
        publisher=_CZSO,
        vintage=f"{POPULATION_YEARS[0]}-01-01/{POPULATION_YEARS[-1]}-01-01",
        page="https://www.czso.cz/csu/czso/pocet-obyvatel-v-obcich-k-11{year}",
        link_text="v obcích",
        files=tuple(
            RawFile(f"population/obce_pocet_obyvatel_1_1_csu/pocet_obyvatel_obce_{year}.xlsx", size, digest)
            for year, (size, digest) in sorted(_YEARLY_OBCE.items())
        ),
    ),
    Dataset(
        key="census_orp",
        citation="ČSÚ, Sčítání lidu, domů a bytů 2021 (stav k 26. 3. 2021)",
        title="Sčítání lidu, domů a bytů 2021 – výsledky za SO ORP",
        publisher=_CZSO,
        vintage="2021-03-26",
        page="https://scitani.gov.cz/vysledky",
        note="Atributy vrstvy SO ORP se znaky SLDB 2021 (obvyklý pobyt).",
        files=(
            RawFile("population/orp_sldb2021_attributes_matejpiro.csv", 70595,
                    "083929135415c8b62ba24c8499feb5e65e8538cbb52e26a53e75befd7016b1b0"),
        ),
    ),
    Dataset(
        key="mos",
        citation="ČSÚ, Městská a obecní statistika (MOS), ukazatele obcí za rok 2024",
        title="Městská a obecní statistika (MOS) – ukazatele obcí za rok 2024",
        publisher=_CZSO,
        vintage="2024",
        page="https://opendata.csu.gov.cz/soubory/od/od_mos01/",
        note="Výběr ukazatelů MOS 2024 (migrační saldo na 1 000 obyvatel, přirozený přírůstek, "
        "podíl nezaměstnaných osob) zpracovaný třetí stranou; kódy ukazatelů nejsou ověřeny.",
        files=(
            RawFile("movement/obce_mos2024_indicators_DERIVED_mikuva.csv", 660035,
                    "e5846c7d2a9e3bafe7851d38506e93164774d705dfda4b882f1f3369f1d3d929"),
        ),
    ),
    Dataset(
        key="projection",
        citation="ČSÚ, Projekce obyvatelstva ČR 2023–2100, střední varianta",
        title="Projekce obyvatelstva České republiky 2023–2100, střední varianta",
        publisher=_CZSO,
        vintage="2023-01-01",
        page="https://csu.gov.cz/produkty/projekce-obyvatelstva-ceske-republiky-2023-2100",
        files=(
            RawFile("projection/csu_projekce_2023_2100_stredni_varianta_CR_vek1_pohlavi_vybrane_roky.csv", 17240,
                    "9f3fde2d53d5e912534f08b809f93e01477b22e341bb1e1f3abb5c5b3b0a0409"),
        ),
    ),
    Dataset(
        key="boundaries",
        citation="ČÚZK, RÚIAN – správní hranice obcí (generalizované, 2022)",
        title="Správní hranice obcí (RÚIAN), generalizované",
        publisher="Český úřad zeměměřický a katastrální (ČÚZK)",
        vintage="2022",
        page="https://ags.cuzk.cz/arcgis/rest/services/RUIAN/MapServer",
        files=(
            RawFile("boundaries/obce_2022_pehovorka.geojson", 4242501,
                    "0ef397db9971d9ab5dac3a85a46030d66f532d970b9771ab1b77e07c573007ee"),
        ),
    ),
    Dataset(
        key="social_services",
        citation="MPSV, Registr poskytovatelů sociálních služeb (výběr služeb s cílovou skupinou senioři, "
        "projekt Katalog registrovaných služeb pro seniory), stav k 4. 9. 2026; adresní body ČÚZK, RÚIAN",
        title="Registrované sociální služby s cílovou skupinou senioři (výběr z registru MPSV)",
        publisher="Ministerstvo práce a sociálních věcí (MPSV); zpracování zdenekpesicka/AutomatizaceKatalogu",
        vintage="2026-09-04",
        page="https://github.com/zdenekpesicka/AutomatizaceKatalogu",
        note="Jeden řádek = jedno místo (adresa) se službami MPSV; souřadnice z RÚIAN (ČÚZK, CC BY 4.0). "
        "Jen služby s cílovou skupinou senioři; služba s více adresami je uvedena u každé z nich.",
        files=(
            RawFile("social_services/katalog_sluzeb_pro_seniory_2026-09-04.jsonl", 1783156,
                    "284ec2acad563638b0aae1b6bd4ea78a2cadc80067555f0bb78e3364c30677be"),
        ),
    ),
    Dataset(
        key="age1_okres_2019",
        citation="ČSÚ, Obyvatelstvo podle jednotek věku (okresy, kraje, ČR; stav k 31. 12. 2019)",
        title="Obyvatelstvo podle jednotek věku – okresy, kraje a ČR (obě pohlaví), 31. 12. 2019",
        publisher=_CZSO,
        vintage="2019-12-31",
        page="https://csu.gov.cz/produkty/obyvatelstvo-podle-jednotek-veku-a-pohlavi",
        note="Převzato z projektu msusicky/ockovani-covid (první verze data/populace.csv); jmenovatel sazeb "
        "příspěvku na péči 2018 (data/pnp_rates.csv).",
        files=(
            RawFile("population/kraje_okresy_vek1_2019-12-31_ockovani.csv", 144252,
                    "a2179b245d0d9b7c120ea97fe4766412c0070e7347044eac7869f0e8f453eecd"),
        ),
    ),
    Dataset(
        key="exclusion",
        citation="MMR – Agentura pro sociální začleňování, Index sociálního vyloučení 2023",
        title="Index sociálního vyloučení 2023 (všechny obce): exekuce, dávky, dlouhodobá nezaměstnanost, "
        "předčasné odchody ze ZŠ",
        publisher="Ministerstvo pro místní rozvoj, Agentura pro sociální začleňování",
        vintage="2023-12-31",
        page="https://www.socialni-zaclenovani.cz/index_socialniho_vylouceni/",
        note="Osoby k 31. 12. 2023; příspěvky na bydlení a na živobytí jako průměrný měsíc 2023 (vyplacené dávky, "
        "ne osoby); uchazeči o zaměstnání nad 6 měsíců v prosinci 2023; předčasné odchody ze ZŠ ve školním roce "
        "2022/23. Obyvatelé 15+ a 15–64 k 31. 12. 2023 dávají se stavem k 1. 1. 2024 i širší věkové skupiny obcí.",
        files=(
            RawFile("exclusion/index_socialniho_vylouceni_2023_mmr.xlsx", 1567810,
                    "98260fbf7d17bc5f9378bb3c70e7f8fd882d19fea4247af54846cb23c1f57669"),
        ),
    ),
    Dataset(
        key="pnp_kraje",
        citation="MPSV, Počet příjemců příspěvku na péči v krajích podle pohlaví, věku a stupně závislosti (2018), "
        "podle Mapy péče",
        title="Příjemci příspěvku na péči v krajích podle věku a stupně závislosti (2018)",
        publisher="Ministerstvo práce a sociálních věcí (MPSV); zveřejnění data.mapapece.cz",
        vintage="2018",
        page="https://data.mapapece.cz/front/statistika/418-pocet-prijemcu-prispevku-na-peci-v-krajich-podle-"
        "pohlavi-veku-a-stupne-zavislos",
        note="Přepis tabulky ze stránky Mapy péče (14 krajů); referenční měsíc stránka neuvádí.",
        files=(
            RawFile("benefits/pnp_prijemci_kraje_pohlavi_vek_stupen_2018_mapapece_DERIVED.csv", 1267,
                    "1285c1af22a8836daeb42dab2dc7602a989e76c1d13796159c2e4b6b83992f73"),
        ),
    ),
    Dataset(
        key="rpss",
        citation="MPSV, Registr poskytovatelů sociálních služeb (otevřená data)",
        title="Registr poskytovatelů sociálních služeb (úplný export) a jeho číselníky",
        publisher="Ministerstvo práce a sociálních věcí (MPSV)",
        vintage="stav k datu stažení (denní export)",
        page="https://data.mpsv.cz/web/data/rpss",
        note="Jen online (denní export, v zrcadle není): `kpss data fetch --online --only rpss`. "
        "Stažení nechá vedle souboru kopii s datem, ke kterému se registr vztahuje.",
        files=tuple(
            RawFile(f"social_services/{name}.json", url=f"https://data.mpsv.cz/od/soubory/{folder}/{name}.json")
            for folder, name in [
                ("rpss", "rpss"),
                ("ciselniky", "druhy-socialni-sluzby"),
                ("ciselniky", "formy-soc-sluzby"),
                ("ciselniky", "cilove-skupiny-osoby"),
                ("ciselniky", "typy-kapacity-socialni-sluzby"),
            ]
        ),
    ),
)


def citation(*keys: str) -> str:
    """The "Zdroj:" text for figures and tables resting on the given datasets."""
    return "; ".join(get_dataset(key).citation for key in keys)


def get_dataset(key: str) -> Dataset:
    """Return the dataset registered under ``key``."""
    for dataset in DATASETS:
        if dataset.key == key:
            return dataset
    known = ", ".join(d.key for d in DATASETS)
    raise KeyError(f"unknown dataset {key!r}; known datasets: {known}")
