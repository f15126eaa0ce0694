"""Plain-language reasons, in English and French. One key per kind of finding; each
text names the value, the threshold and what to do, for a trainee or an auditor."""

from __future__ import annotations

from typing import Any

from refurb.i18n import pick

CATALOG: dict[str, tuple[str, str]] = {
    # CPU
    "cpu.ok": (
        "The CPU runs a supported 64-bit system ({systems}).",
        "Le processeur fait tourner un système 64 bits pris en charge ({systems}).",
    ),
    "cpu.too_old": (
        "The CPU cannot run a supported 64-bit system (it can run: {systems}). "
        "Harvest the good parts, or recycle.",
        "Le processeur ne peut pas faire tourner un système 64 bits pris en charge "
        "(possible : {systems}). Récupérer les bonnes pièces, ou recycler.",
    ),
    "cpu.unknown": (
        "Could not tell whether the CPU is 64-bit. Check the CPU model by hand.",
        "Impossible de savoir si le processeur est 64 bits. Vérifier le modèle à la main.",
    ),
    # memory
    "memory.ok": ("{gib:.1f} GiB of memory is enough.", "{gib:.1f} Gio de mémoire suffisent."),
    "memory.low": (
        "{gib:.1f} GiB of memory works, but {rec:g} GiB or more is better; add memory if a "
        "module is at hand.",
        "{gib:.1f} Gio de mémoire, c'est utilisable, mais {rec:g} Gio ou plus serait mieux ; "
        "ajouter de la mémoire si un module est disponible.",
    ),
    "memory.too_low": (
        "Only {gib:.1f} GiB of memory: a current system needs at least {min:g} GiB. Add memory.",
        "Seulement {gib:.1f} Gio de mémoire : un système actuel demande au moins {min:g} Gio. "
        "Ajouter de la mémoire.",
    ),
    "memory.unknown": (
        "The amount of memory could not be read. Check it in the firmware setup.",
        "La quantité de mémoire n'a pas pu être lue. La vérifier dans le BIOS.",
    ),
    # disks
    "disk.none": (
        "No internal disk was found. Fit a disk (an SSD is best).",
        "Aucun disque interne trouvé. Installer un disque (de préférence un SSD).",
    ),
    "disk.usb_skipped": (
        "{disk} is a USB drive (likely the refurb stick); it is not part of the machine.",
        "{disk} est une clé ou un disque USB (sans doute la clé refurb) ; il ne fait pas "
        "partie de la machine.",
    ),
    "disk.smart_passed": (
        "{disk}: the drive's own health check (SMART) passed.",
        "{disk} : le contrôle de santé du disque (SMART) est réussi.",
    ),
    "disk.smart_failed": (
        "{disk}: the drive says it is failing (SMART health FAILED). Replace the disk.",
        "{disk} : le disque se déclare défaillant (SMART en ÉCHEC). Remplacer le disque.",
    ),
    "disk.smart_unknown": (
        "{disk}: the drive's health could not be read, so it is not known to be good. "
        "Check it (surface test) or replace it.",
        "{disk} : la santé du disque n'a pas pu être lue ; rien ne prouve qu'il est bon. "
        "Le tester (test de surface) ou le remplacer.",
    ),
    "disk.counter_ok": (
        "{disk}: {what} = {value}.",
        "{disk} : {what} = {value}.",
    ),
    "disk.counter_unknown": (
        "{disk}: the drive does not report {what}.",
        "{disk} : le disque n'indique pas {what}.",
    ),
    "disk.counter_warn": (
        "{disk}: {what} = {value}. The drive still works, but watch it; replace it above {limit}.",
        "{disk} : {what} = {value}. Le disque fonctionne encore, mais à surveiller ; "
        "le remplacer au-delà de {limit}.",
    ),
    "disk.counter_fail": (
        "{disk}: {what} = {value}, above the limit of {limit}: the disk is wearing out. "
        "Replace the disk.",
        "{disk} : {what} = {value}, au-delà de la limite de {limit} : le disque s'use. "
        "Remplacer le disque.",
    ),
    "disk.counter_note": (
        "{disk}: {what} = {value}. Often a loose cable or connector rather than worn media; "
        "reseat the disk and test again.",
        "{disk} : {what} = {value}. Souvent un câble ou un connecteur mal branché plutôt qu'un "
        "support usé ; rebrancher le disque et retester.",
    ),
    "disk.counter_look": (
        "{disk}: {what} = {value}. Some data could not be read back; run a surface test "
        "and watch the drive.",
        "{disk} : {what} = {value}. Certaines données n'ont pas pu être relues ; faire un test "
        "de surface et surveiller le disque.",
    ),
    "disk.nvme_warning": (
        "{disk}: the NVMe drive raises a critical warning ({value}: {meaning}). Replace the disk.",
        "{disk} : le disque NVMe signale un avertissement critique ({value} : {meaning}). "
        "Remplacer le disque.",
    ),
    "disk.spare_low": (
        "{disk}: spare blocks at {value} %, below the drive's threshold of {limit} %. "
        "Replace the disk.",
        "{disk} : blocs de réserve à {value} %, sous le seuil du disque ({limit} %). "
        "Remplacer le disque.",
    ),
    "disk.worn_out": (
        "{disk}: {value} % of the rated endurance is used (limit {limit} %). Replace the disk.",
        "{disk} : {value} % de l'endurance prévue est consommée (limite {limit} %). "
        "Remplacer le disque.",
    ),
    "disk.media_errors": (
        "{disk}: {value} media errors (data that could not be read back). Replace the disk.",
        "{disk} : {value} erreurs de support (données illisibles). Remplacer le disque.",
    ),
    "disk.self_test_failed": (
        "{disk}: the last self-test failed ({value}). Replace the disk.",
        "{disk} : le dernier autotest a échoué ({value}). Remplacer le disque.",
    ),
    "disk.self_test_ok": (
        "{disk}: the last self-test passed.",
        "{disk} : le dernier autotest a réussi.",
    ),
    "disk.exit_bits_warn": (
        "{disk}: smartctl reported: {value}. Not a failure by itself; look at the drive's logs.",
        "{disk} : smartctl signale : {value}. Pas une panne en soi ; consulter les journaux "
        "du disque.",
    ),
    "disk.prefail": (
        "{disk}: a pre-failure attribute is at or below its threshold. Replace the disk.",
        "{disk} : un attribut de pré-défaillance a atteint son seuil. Remplacer le disque.",
    ),
    # batteries
    "battery.none_portable": (
        "This is a {chassis} but no battery was found. Fit a battery.",
        "C'est un portable ({chassis}) mais aucune batterie n'a été trouvée. Installer une "
        "batterie.",
    ),
    "battery.none_unknown": (
        "No battery was found and the machine type is unknown: check whether it should have one.",
        "Aucune batterie trouvée et le type de machine est inconnu : vérifier s'il en faut une.",
    ),
    "battery.good": (
        "Battery {name}: {value:g} % of its design capacity (good is {limit:g} % or more).",
        "Batterie {name} : {value:g} % de sa capacité d'origine (bon à partir de {limit:g} %).",
    ),
    "battery.worn": (
        "Battery {name}: {value:g} % of its design capacity, below {limit:g} %. It works but "
        "holds less charge; tell the participant.",
        "Batterie {name} : {value:g} % de sa capacité d'origine, sous {limit:g} %. Elle "
        "fonctionne mais tient moins longtemps ; le dire au participant.",
    ),
    "battery.replace": (
        "Battery {name}: only {value:g} % of its design capacity (replace below {limit:g} %). "
        "Replace the battery.",
        "Batterie {name} : seulement {value:g} % de sa capacité d'origine (remplacer sous "
        "{limit:g} %). Remplacer la batterie.",
    ),
    "battery.failed": (
        "Battery {name}: {value:g} % of its design capacity: it has failed (at or below "
        "{limit:g} %). Replace the battery.",
        "Batterie {name} : {value:g} % de sa capacité d'origine : elle est hors d'usage "
        "({limit:g} % ou moins). Remplacer la batterie.",
    ),
    "battery.unknown": (
        "Battery {name}: its health could not be read. Check it by hand (charge it fully, "
        "then probe again).",
        "Batterie {name} : son état n'a pas pu être lu. La vérifier à la main (charge complète, "
        "puis nouvelle analyse).",
    ),
    "battery.implausible": (
        "Battery {name}: reports {value:g} % of design, which is not possible; its gauge is "
        "uncalibrated. Charge and discharge it fully, then probe again.",
        "Batterie {name} : indique {value:g} % de sa capacité d'origine, ce qui est impossible ; "
        "sa jauge est déréglée. La charger et décharger complètement, puis relancer l'analyse.",
    ),
    "battery.cycles_ok": (
        "Battery {name}: {value} charge cycles (fine below {limit}).",
        "Batterie {name} : {value} cycles de charge (correct sous {limit}).",
    ),
    "battery.cycles_warn": (
        "Battery {name}: {value} charge cycles, {limit} or more: it is ageing.",
        "Batterie {name} : {value} cycles de charge, {limit} ou plus : elle vieillit.",
    ),
    "battery.cycles_replace": (
        "Battery {name}: {value} charge cycles, {limit} or more. Replace the battery.",
        "Batterie {name} : {value} cycles de charge, {limit} ou plus. Remplacer la batterie.",
    ),
    "battery.cycles_unknown": (
        "Battery {name}: the cycle count is not reported.",
        "Batterie {name} : le nombre de cycles n'est pas indiqué.",
    ),
    # bench checklist and quick tests
    "checklist.missing": (
        "The bench checklist was not done (screen, keyboard, ports...). Run `refurb check`.",
        "La liste de contrôle n'a pas été faite (écran, clavier, ports...). Lancer `refurb check`.",
    ),
    "checklist.pass": ("{item}: works.", "{item} : fonctionne."),
    "checklist.fail": ("{item}: does not work. {action}", "{item} : ne fonctionne pas. {action}"),
    "checklist.skip": ("{item}: not checked.", "{item} : non vérifié."),
    "test.cpu_ok": (
        "CPU test: {value} rounds in {seconds:g} s, every result correct.",
        "Test du processeur : {value} tours en {seconds:g} s, tous les résultats justes.",
    ),
    "test.cpu_fail": (
        "CPU test: {value} wrong results. The processor or board is unreliable: harvest.",
        "Test du processeur : {value} résultats faux. Processeur ou carte mère peu fiable : "
        "récupérer les pièces.",
    ),
    "test.memory_ok": (
        "Memory test: {mib} MiB checked, no errors.",
        "Test mémoire : {mib} Mio vérifiés, aucune erreur.",
    ),
    "test.memory_fail": (
        "Memory test: {value} errors. Replace the faulty memory module.",
        "Test mémoire : {value} erreurs. Remplacer le module de mémoire défectueux.",
    ),
    "test.disk_ok": (
        "Disk read test on {disk}: {mbps:.0f} MB/s, no read errors.",
        "Test de lecture sur {disk} : {mbps:.0f} Mo/s, aucune erreur de lecture.",
    ),
    "test.disk_fail": (
        "Disk read test on {disk}: {value} read errors. Replace the disk.",
        "Test de lecture sur {disk} : {value} erreurs de lecture. Remplacer le disque.",
    ),
    "test.smart_ok": (
        "SMART short self-test on {disk}: passed.",
        "Autotest SMART court sur {disk} : réussi.",
    ),
    "test.smart_fail": (
        "SMART short self-test on {disk}: {value}. Replace the disk.",
        "Autotest SMART court sur {disk} : {value}. Remplacer le disque.",
    ),
    "test.interrupted": (
        " (stopped early; {done:.0f} % of the planned time was measured)",
        " (arrêté avant la fin ; {done:.0f} % du temps prévu mesuré)",
    ),
}

DISPOSITION = {
    "refurbish": ("Refurbish", "Remettre à neuf"),
    "repair": ("Repair", "Réparer"),
    "harvest": ("Harvest for parts", "Récupérer les pièces"),
    "recycle": ("Recycle", "Recycler"),
}

STATUS = {
    "pass": ("ok", "ok"),
    "warn": ("watch", "à surveiller"),
    "fail": ("FAIL", "ÉCHEC"),
    "unknown": ("unknown", "inconnu"),
}


def say(lang: str, key: str, **params: Any) -> str:
    return pick(CATALOG[key], lang).format(**params)


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    return pick(table.get(key, (key, key)), lang)
