"""Every word the web pages say, in English and French, in one place (a later issue
moves all of refurb's text into gettext catalogues; this table is what moves).

Report figures, verdicts and finding statuses come from the tables that already exist
(refurb.reports.i18n, refurb.assess.messages); only the pages' own words are here.
"""

from __future__ import annotations

from collections.abc import Callable

from refurb.assess.messages import DISPOSITION, STATUS
from refurb.i18n import pick
from refurb.reports.i18n import LABELS

LANGS = ("en", "fr")

WORDS: dict[str, tuple[str, str]] = {
    "app": ("refurb", "refurb"),
    "dashboard": ("Dashboard", "Tableau de bord"),
    "devices": ("Devices", "Appareils"),
    "device": ("Device", "Appareil"),
    "lots": ("Lots", "Lots"),
    "lot": ("Lot", "Lot"),
    "participants": ("Participants", "Participants"),
    "reports": ("Reports", "Rapports"),
    "accounts": ("Accounts", "Comptes"),
    "sign_in": ("Sign in", "Se connecter"),
    "sign_out": ("Sign out", "Se déconnecter"),
    "name": ("Name", "Nom"),
    "password": ("Password", "Mot de passe"),
    "password_again": ("Password again", "Mot de passe (encore)"),
    "role": ("Role", "Rôle"),
    "active": ("Active", "Actif"),
    "signed_in_as": ("Signed in as", "Connecté·e en tant que"),
    "language": ("Français", "English"),
    "search": ("Search", "Chercher"),
    "search_hint": (
        "tag, serial, drive serial or model",
        "étiquette, numéro de série, disque ou modèle",
    ),
    "filter": ("Filter", "Filtrer"),
    "all": ("all", "tous"),
    "status": ("Status", "Statut"),
    "community": ("Community", "Communauté"),
    "tag": ("Tag", "Étiquette"),
    "vendor": ("Vendor", "Fabricant"),
    "model": ("Model", "Modèle"),
    "serial": ("Serial", "Numéro de série"),
    "chassis": ("Chassis", "Format"),
    "verdict": ("Verdict", "Verdict"),
    "grade": ("Grade", "Note"),
    "received_at": ("Received", "Reçu le"),
    "next_page": ("Next page", "Page suivante"),
    "previous_page": ("Previous page", "Page précédente"),
    "first_page": ("First page", "Première page"),
    "devices_match": ("devices match", "appareils correspondent"),
    "not_counted": (
        "Too many to count in time: narrow the filter.",
        "Trop nombreux pour être comptés à temps : affinez le filtre.",
    ),
    "not_recorded": ("(not recorded)", "(non renseigné)"),
    "count_by": (
        "Count by status, verdict, grade, lot, community and chassis",
        "Compter par statut, verdict, note, lot, communauté et format",
    ),
    "counts": ("counts", "décomptes"),
    "back_to_list": ("Back to the list", "Retour à la liste"),
    "trainees": ("Trainees", "Stagiaires"),
    "trainees_intro": (
        "What each operator recorded in the period, counted from the records as the "
        "funder report counts them. Open a name for the evidence, printable.",
        "Ce que chaque opérateur·rice a enregistré sur la période, compté sur les "
        "registres comme le rapport aux bailleurs. Ouvrez un nom pour la preuve, imprimable.",
    ),
    "operator": ("Operator", "Opérateur·rice"),
    "diagnostics": ("Devices diagnosed", "Appareils diagnostiqués"),
    "wipes": ("Wipes recorded", "Effacements enregistrés"),
    "verifications": ("Wipes verified", "Effacements vérifiés"),
    "repairs": ("Put in repair", "Mis en réparation"),
    "made_ready": ("Made ready", "Rendus prêts"),
    "evidence": ("Record of practical work", "Relevé de travaux pratiques"),
    "evidence_intro": (
        "Every step below is in the shop's records under this operator's name; each can "
        "be checked on the device's page.",
        "Chaque étape ci-dessous figure dans les registres de l'atelier sous le nom de "
        "cette personne ; chacune se vérifie sur la page de l'appareil.",
    ),
    "printed": ("Printed", "Imprimé le"),
    "station": ("Station", "Poste"),
    "print": ("Print", "Imprimer"),
    "print_hint": (
        "Print this page (Ctrl+P) or save it as PDF from the browser's print dialog.",
        "Imprimez cette page (Ctrl+P) ou enregistrez-la en PDF depuis la boîte "
        "d'impression du navigateur.",
    ),
    "steps": ("Steps", "Étapes"),
    "step.wipe": ("wipe performed", "effacement réalisé"),
    "step.verification": ("wipe verified", "effacement vérifié"),
    "signature": ("Signature of the supervisor", "Signature du ou de la responsable"),
    "issued_to": ("Issued", "Remis le"),
    "returned_on": ("Returned", "Rendu le"),
    "holds": ("Has it now", "L'a maintenant"),
    "yes": ("yes", "oui"),
    "no": ("no", "non"),
    "participant_devices": (
        "Devices issued to this participant",
        "Appareils remis à ce participant",
    ),
    "no_devices": ("No devices match.", "Aucun appareil ne correspond."),
    "download": ("Download", "Télécharger"),
    "identity": ("Identity", "Identité"),
    "findings": ("Findings", "Constats"),
    "drives": ("Drives and their sanitization", "Disques et leur effacement"),
    "not_sanitized": ("NOT SANITIZED", "NON EFFACÉ"),
    "removed": ("removed", "retiré"),
    "history": ("History", "Historique"),
    "label_pdf": ("Label (PDF)", "Étiquette (PDF)"),
    "actions": ("What can be done now", "Ce qui peut être fait maintenant"),
    "not_now": ("Not now", "Pas maintenant"),
    "no_actions": ("Nothing can be done to it now.", "Rien ne peut lui être fait maintenant."),
    "your_role_views": (
        "Your role views this device; a lead records its steps.",
        "Votre rôle consulte cet appareil ; un·e responsable enregistre ses étapes.",
    ),
    "action.wipe": ("Record a wipe (NIST SP 800-88)", "Enregistrer un effacement (NIST SP 800-88)"),
    "action.repairing": ("Put in repair", "Mettre en réparation"),
    "action.ready": ("Make ready", "Rendre prêt"),
    "action.issue": ("Issue to a participant", "Remettre à un participant"),
    "action.return": ("Returned by the participant", "Rendu par le participant"),
    "action.harvest": ("Harvest a part", "Récupérer une pièce"),
    "action.recycle": ("Send to the recycler", "Envoyer au recycleur"),
    "action.attest": ("A lead's attestation", "Attestation d'un·e responsable"),
    "drive": ("Drive", "Disque"),
    "all_drives": ("every drive", "tous les disques"),
    "level": ("Level", "Niveau"),
    "method": ("Method", "Méthode"),
    "tool": ("Tool", "Outil"),
    "tool_version": ("Tool version", "Version de l'outil"),
    "verification_method": ("How it was verified", "Comment c'est vérifié"),
    "verification_result": ("Verification result", "Résultat de la vérification"),
    "verified_by": ("Verified by", "Vérifié par"),
    "destination": ("Destination of the media", "Destination du support"),
    "note": ("Note", "Note"),
    "participant": ("Participant", "Participant"),
    "part": ("Part", "Pièce"),
    "description": ("Description", "Description"),
    "into": ("Fitted into (tag)", "Posée dans (étiquette)"),
    "missed_by_probe": (
        "The probe missed it: say what",
        "La sonde ne l'a pas vue : dites quoi",
    ),
    "what": ("What", "Quoi"),
    "reason": ("Reason", "Raison"),
    "record": ("Record", "Enregistrer"),
    "done": ("Done", "Fait"),
    "refused": ("Refused", "Refusé"),
    "donor": ("Donor", "Donateur"),
    "code": ("Code", "Code"),
    "date_received": ("Received on", "Reçu le"),
    "choice": ("Donor's choice", "Choix du donateur"),
    "site": ("Site", "Site"),
    "weight_kg": ("Weight (kg)", "Poids (kg)"),
    "add_lot": ("New lot", "Nouveau lot"),
    "add_participant": ("New participant", "Nouveau participant"),
    "add_account": ("New account", "Nouveau compte"),
    "change": ("Change", "Modifier"),
    "certificate_pdf": ("Sanitization certificate (PDF)", "Certificat d'effacement (PDF)"),
    "codes_only": (
        "Participants are known by a pseudonymous code only; enter no names.",
        "Les participants ne sont connus que par un code ; n'entrez aucun nom.",
    ),
    "period": ("Period", "Période"),
    "month": ("Month (YYYY-MM)", "Mois (AAAA-MM)"),
    "quarter": ("Quarter (YYYY-Qn)", "Trimestre (AAAA-Tn)"),
    "fiscal_year": ("Fiscal year from April", "Exercice à partir d'avril"),
    "since": ("From (YYYY-MM-DD)", "Du (AAAA-MM-JJ)"),
    "until": ("Until, exclusive", "Au (exclu)"),
    "show": ("Show", "Afficher"),
    "this_month": ("This month", "Ce mois-ci"),
    "this_fiscal_year": ("This fiscal year", "Cet exercice"),
    "all_time": ("All time", "Depuis le début"),
    "by_status": ("Devices by status now", "Appareils par statut"),
    "recent": ("Recent activity", "Activité récente"),
    "nothing_yet": ("Nothing yet.", "Rien encore."),
    "when": ("When", "Quand"),
    "who": ("Who", "Qui"),
    "not_found": ("Not found", "Introuvable"),
    "not_found_page": (
        "There is no such page or device.",
        "Cette page ou cet appareil n'existe pas.",
    ),
    "forbidden": ("Not for your role", "Pas pour votre rôle"),
    "forbidden_text": (
        "Your account's role does not open this page.",
        "Le rôle de votre compte n'ouvre pas cette page.",
    ),
    "bad_request": ("That did not work", "Cela n'a pas marché"),
    "db_down": ("The database is not answering", "La base de données ne répond pas"),
    "db_down_text": (
        "Nothing was changed. Try again in a moment; if it lasts, tell whoever runs the server.",
        "Rien n'a été modifié. Réessayez dans un moment ; si cela dure, prévenez la "
        "personne qui gère le serveur.",
    ),
    "server_error": ("Something went wrong", "Une erreur s'est produite"),
    "server_error_text": (
        "Nothing was shown of it here; it is written in the server's log.",
        "Les détails sont dans le journal du serveur, pas ici.",
    ),
    "csrf": (
        "This form is out of date or came from another site; nothing was changed. "
        "Reload the page and send it again.",
        "Ce formulaire est périmé ou vient d'un autre site ; rien n'a été modifié. "
        "Rechargez la page et renvoyez-le.",
    ),
    "bad_login": ("Wrong name or password.", "Nom ou mot de passe incorrect."),
    "too_many": (
        "Too many failed sign-ins for this name from here; wait 15 minutes.",
        "Trop d'essais manqués pour ce nom depuis ici ; attendez 15 minutes.",
    ),
    "setup": ("Create the first admin", "Créer le premier compte admin"),
    "setup_text": (
        "This link works once. The account it makes can add everyone else.",
        "Ce lien ne sert qu'une fois. Le compte créé pourra ajouter tous les autres.",
    ),
    "passwords_differ": ("The two passwords differ.", "Les deux mots de passe diffèrent."),
    "back": ("Back", "Retour"),
    "json": ("JSON", "JSON"),
    "csv": ("CSV", "CSV"),
    "pdf": ("PDF", "PDF"),
    "figures_note": (
        "The downloads are exactly `refurb report` for this period and language.",
        "Les téléchargements sont exactement `refurb report` pour cette période et cette langue.",
    ),
    "report_lang": ("Language of the report", "Langue du rapport"),
    "ready_now": ("Ready to issue now", "Prêts à remettre"),
    "in_shop_now": ("In the shop now (not yet ready)", "En atelier (pas encore prêts)"),
    "community_row": ("This community", "Cette communauté"),
    "events_kind.status": ("status", "statut"),
    "chart_by_month": ("Devices received and issued by month", "Appareils reçus et remis par mois"),
    "chart_by_community": (
        "Devices received and issued by community",
        "Appareils reçus et remis par communauté",
    ),
    # intake page
    "intake": ("Intake", "Réception"),
    "intake_title": (
        "Record a device from its snapshot",
        "Enregistrer un appareil d'après son relevé",
    ),
    "intake_help": (
        "Choose the .json file that `refurb probe --json` or the USB-stick agent wrote on "
        "this laptop, answer the bench checklist, and record it: the verdict, the record and "
        "the label are the same as `refurb intake`.",
        "Choisissez le fichier .json écrit sur ce portable par `refurb probe --json` ou par "
        "l'agent de la clé USB, répondez à la liste de contrôle, puis enregistrez : verdict, "
        "fiche et étiquette sont les mêmes qu'avec `refurb intake`.",
    ),
    "snapshot_file": ("Snapshot file", "Fichier de relevé"),
    "checklist": ("Bench checklist", "Liste de contrôle"),
    "answer_pass": ("works", "fonctionne"),
    "answer_fail": ("does not work", "ne fonctionne pas"),
    "answer_skip": ("not tried", "pas essayé"),
    "cosmetic_grade": ("Cosmetic condition", "État esthétique"),
    "not_graded": ("not graded", "non évalué"),
    "notes": ("Notes", "Notes"),
    "no_lot": ("(no lot)", "(aucun lot)"),
    "outcome.new": ("New device", "Nouvel appareil"),
    "outcome.updated": ("Known device, new snapshot", "Appareil connu, nouveau relevé"),
    "outcome.known": ("Already recorded", "Déjà enregistré"),
    "open_device": ("Open the device", "Ouvrir l'appareil"),
    "print_label": ("Label (PDF)", "Étiquette (PDF)"),
    "next_device": ("Next device", "Appareil suivant"),
    # scan page
    "scan": ("Scan", "Scanner"),
    "scan_camera": ("Camera", "Caméra"),
    "scan_camera_start": ("Start the camera", "Démarrer la caméra"),
    "scan_camera_on": (
        "Scanning: hold each label in view.",
        "Lecture en cours : montrez chaque étiquette.",
    ),
    "scan_camera_failed": ("The camera did not start", "La caméra n'a pas démarré"),
    "scan_insecure": (
        "The live camera needs a secure connection (https, or this computer itself); "
        "this page was opened over plain http on the network. Take a photo of the label "
        "below instead, or start refurb serve with --tls.",
        "La caméra en direct demande une connexion sécurisée (https, ou cet ordinateur "
        "lui-même) ; cette page est ouverte en http sur le réseau. Prenez plutôt une photo "
        "de l'étiquette ci-dessous, ou lancez refurb serve avec --tls.",
    ),
    "scan_photo": ("Photo of a label", "Photo d'une étiquette"),
    "scan_photo_take": ("Photo", "Photo"),
    "scan_send": ("Send", "Envoyer"),
    "scan_typed": ("Scanner or keyboard", "Lecteur ou clavier"),
    "scan_add": ("Add", "Ajouter"),
    "scan_list": ("Scanned", "Scannés"),
    "scan_warning": ("Warning", "Avertissement"),
    "scan_remove": ("Remove", "Retirer"),
    "scan_clear": ("Clear the list", "Vider la liste"),
    "scan_added": ("Added", "Ajouté"),
    "scan_duplicate": ("Already in the list", "Déjà dans la liste"),
    "scan_unknown": ("No device on record with this tag", "Aucun appareil enregistré avec ce code"),
    "scan_action": ("For the whole list", "Pour toute la liste"),
    "scan_pick": ("Action", "Action"),
    "scan_participant_hint": (
        "To issue: scan or type the participant's code here (with the camera on, tap this "
        "field first, then show the code).",
        "Pour remettre : scannez ou tapez ici le code du participant (caméra allumée, "
        "touchez d'abord ce champ, puis montrez le code).",
    ),
    "scan_do_stocktake": ("Stocktake: seen at the site", "Inventaire : vus sur le site"),
    "scan_do_site": ("Move to the site", "Déplacer vers le site"),
    "scan_do_ready": ("Make ready", "Rendre prêt"),
    "scan_do_ship": ("Add to a recycling shipment", "Ajouter à un envoi au recyclage"),
    "scan_do_labels": ("Print labels", "Imprimer les étiquettes"),
    "scan_do_issue": ("Issue (one device)", "Remettre (un appareil)"),
    "scan_shipment": ("Shipment", "Envoi"),
    "scan_stock": ("Label stock", "Format d'étiquette"),
    "scan_go": ("Do it", "Exécuter"),
    "scan_outcomes": ("Result", "Résultat"),
    "scan_done": ("done", "fait"),
    "scan_refused": ("refused", "refusé"),
    "scan_missing": (
        "Expected here but not seen",
        "Attendus ici mais pas vus",
    ),
    "scan_unexpected": ("Seen here but not expected", "Vus ici mais pas attendus"),
}

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "received": ("received", "reçu"),
    "diagnosed": ("diagnosed", "diagnostiqué"),
    "wiped": ("wiped", "effacé"),
    "repairing": ("in repair", "en réparation"),
    "ready": ("ready", "prêt"),
    "issued": ("issued", "remis"),
    "returned": ("returned", "rendu"),
    "harvested": ("harvested", "démonté"),
    "recycled": ("recycled", "recyclé"),
}


def words(lang: str) -> Callable[[str], str]:
    """The lookup a template calls as ``_("key")``; a key with no entry shows as is,
    so a missing word is visible, never an error page."""
    lang = lang if lang in LANGS else "en"

    def lookup(key: str) -> str:
        for table in (WORDS, LABELS):
            if key in table:
                return pick(table[key], lang)
        return key

    return lookup


def status_word(status: str | None, lang: str) -> str:
    return pick(STATUS_WORDS[status], lang) if status in STATUS_WORDS else (status or "")


def verdict_word(disposition: str | None, lang: str) -> str:
    return pick(DISPOSITION[disposition], lang) if disposition in DISPOSITION else "-"


def finding_word(status: str | None, lang: str) -> str:
    return pick(STATUS[status], lang) if status in STATUS else (status or "")
