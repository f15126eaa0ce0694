"""Report wording and number formats in English and French."""

from __future__ import annotations

import re

from refurb.i18n import pick

LABELS: dict[str, tuple[str, str]] = {
    "title": ("Refurbishment program report", "Rapport du programme de remise à neuf"),
    "period": ("Period", "Période"),
    "for_community": ("Community", "Communauté"),
    "generated": ("Generated", "Produit le"),
    "totals": ("Totals", "Totaux"),
    "received": ("Devices received", "Appareils reçus"),
    "refurbished": ("Refurbished (made ready)", "Remis à neuf (prêts)"),
    "issued": ("Devices issued to participants", "Appareils remis aux participants"),
    "issued_laptops": (
        "of which laptops (laptops and convertibles)",
        "dont portables (portables et convertibles)",
    ),
    "issued_other": (
        "of which other devices (desktops, tablets...)",
        "dont autres appareils (fixes, tablettes...)",
    ),
    "participant_community": (
        "Participants served, by the community they live in",
        "Participants servis, par leur communauté de résidence",
    ),
    "participants": ("Participants served", "Participants servis"),
    "returned": ("Returned by participants", "Rendus par les participants"),
    "harvested": ("Harvested for parts", "Démontés pour pièces"),
    "parts_reused": ("Parts reused in other devices", "Pièces réutilisées"),
    "recycled": ("Sent to a downstream recycler", "Envoyés au recycleur"),
    "in_process": ("Still in process at period end", "En cours à la fin de la période"),
    "diverted": ("Diverted from landfill (devices)", "Détournés de l'enfouissement (appareils)"),
    "diverted_kg": ("Diverted from landfill (kg)", "Détournés de l'enfouissement (kg)"),
    "diverted_kg_estimated": (
        "of which estimated from default weights (kg)",
        "dont estimés par poids par défaut (kg)",
    ),
    "avoided_kg_co2e": (
        "Avoided manufacturing emissions (kg CO2e)",
        "Émissions de fabrication évitées (kg éq. CO2)",
    ),
    "community": ("By community of the donation lot", "Par communauté du lot de dons"),
    "site": ("By site", "Par site"),
    "lot": ("By lot", "Par lot"),
    "donor": ("By donor", "Par donateur"),
    "months": ("By month", "Par mois"),
    "status": ("Current status of devices", "Statut actuel des appareils"),
    "method": ("Method and factors", "Méthode et facteurs"),
    "missing_glyphs": (
        "Characters no installed font could show",
        "Caractères qu’aucune police installée ne peut afficher",
    ),
    "none": ("(none)", "(aucun)"),
    "factor": (
        "Emissions factor: {f} kg CO2e avoided per laptop reused. Source: {s}.",
        "Facteur d'émissions : {f} kg éq. CO2 évités par portable réutilisé. Source : {s}.",
    ),
    "factor_kind": (
        "For {k}: {f} kg CO2e per device reused. Source: {s}.",
        "Pour {k} : {f} kg éq. CO2 par appareil réutilisé. Source : {s}.",
    ),
    "no_factor": (
        "Not counted in avoided emissions (no factor for their kind): {d}.",
        "Non comptés dans les émissions évitées (aucun facteur pour leur type) : {d}.",
    ),
    "weights": (
        "Weights: measured where the shop weighed the device, or, for a device shipped "
        "to a recycler, its even share of the recycler's weight of the shipment; "
        "otherwise the default for its form factor ({w}). {p} of the diverted weight is "
        "estimated.",
        "Poids : mesuré quand l'atelier a pesé l'appareil ou, pour un appareil expédié à "
        "un recycleur, sa part égale du poids de l'expédition établi par le recycleur ; "
        "sinon la valeur par défaut de son format ({w}). {p} du poids détourné est estimé.",
    ),
    "counting": (
        "Each device counts once per figure in the period, in the month of its first "
        "matching event; a laptop issued twice counts once. Diverted = issued, "
        "harvested or recycled.",
        "Chaque appareil compte une fois par chiffre sur la période, au mois de son "
        "premier événement ; un portable remis deux fois compte une fois. Détourné = "
        "remis, démonté ou recyclé.",
    ),
    "devices_hint": (
        "refurb report --devices FIGURE lists the devices behind any figure.",
        "refurb report --devices CHIFFRE liste les appareils derrière chaque chiffre.",
    ),
    "prepared_by": ("Prepared by", "Préparé par"),
    "signature": ("Signature", "Signature"),
    "date": ("Date", "Date"),
    "operators": ("Trainee activity", "Activité des stagiaires"),
    "operator": ("Operator", "Opérateur"),
    "diagnostics": ("Diagnostics", "Diagnostics"),
    "wipes": ("Wipes", "Effacements"),
    "verifications": ("Verifications", "Vérifications"),
    "repairs": ("Repairs", "Réparations"),
    "made_ready": ("Made ready", "Rendus prêts"),
    "key": ("", ""),
}

# Column heads for narrow tables (terminal).
SHORT: dict[str, tuple[str, str]] = {
    "received": ("received", "reçus"),
    "refurbished": ("ready", "prêts"),
    "issued": ("issued", "remis"),
    "participants": ("participants", "participants"),
    "diverted": ("diverted", "détournés"),
    "diverted_kg": ("diverted kg", "kg détournés"),
}


def short(key: str, lang: str) -> str:
    return pick(SHORT[key], lang)


MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def t(key: str, lang: str) -> str:
    return pick(LABELS[key], lang)


STATUS_WORDS: dict[str, tuple[str, str]] = {
    "received": ("received", "reçu"),
    "diagnosed": ("diagnosed", "diagnostiqué"),
    "wiped": ("wiped", "effacé"),
    "repairing": ("in repair", "en réparation"),
    "ready": ("ready", "prêt"),
    "issued": ("issued", "remis"),
    "returned": ("returned", "rendu"),
    "harvested": ("harvested for parts", "démonté pour pièces"),
    "recycled": ("recycled", "recyclé"),
}
KIND_WORDS: dict[str, tuple[str, str]] = {
    "laptop": ("laptop", "portable"),
    "convertible": ("convertible", "convertible"),
    "desktop": ("desktop", "ordinateur de bureau"),
    "all-in-one": ("all-in-one", "tout-en-un"),
    "mini-pc": ("mini PC", "mini-PC"),
    "tablet": ("tablet", "tablette"),
    "handheld": ("handheld", "appareil de poche"),
    "server": ("server", "serveur"),
    "other": ("other", "autre"),
}


def status_word(status: str, lang: str) -> str:
    return pick(STATUS_WORDS[status], lang) if status in STATUS_WORDS else status


def kind_word(kind: str, lang: str) -> str:
    return pick(KIND_WORDS[kind], lang) if kind in KIND_WORDS else kind


def period_label(label: str, lang: str) -> str:
    """A period's label as a funder reads it: "Fiscal year 2025–26" / "Exercice
    2025-2026", "March 2026" / "mars 2026", "Q1 2026" / "T1 2026"."""
    if m := re.fullmatch(r"FY (\d{4})-(\d{2})", label):
        first = int(m.group(1))
        return (
            f"Exercice {first}-{first + 1}" if lang == "fr" else f"Fiscal year {first}–{m.group(2)}"
        )
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return month_name(label, lang)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return f"{'T' if lang == 'fr' else 'Q'}{m.group(2)} {m.group(1)}"
    if label == "all time":
        return "depuis le début" if lang == "fr" else "all time"
    return label


def month_name(month: str, lang: str) -> str:
    year, m = month.split("-")
    name = MONTHS[lang if lang in MONTHS else "en"][int(m) - 1]
    return f"{name} {year}"


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    """1,234.5 in English; 1 234,5 in French (no-break space, decimal comma)."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text
