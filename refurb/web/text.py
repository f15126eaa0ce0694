"""The web pages' words that Python code names by key (a template writes its text
directly, ``{{ _("Search") }}``); the English is translated through the gettext
catalogue (refurb.i18n). A branch's words still in the old ``("en", "fr")`` form move
into the catalogue as docs/translating.md, "Adding a message", says.

Report figures, verdicts and finding statuses come from the tables that already exist
(refurb.reports.i18n, refurb.assess.messages); only the pages' own words are here.
"""

from __future__ import annotations

from collections.abc import Callable

from refurb.assess.messages import DISPOSITION, STATUS
from refurb.i18n import N_, NC_, available_languages, gettext_for
from refurb.reports.i18n import LABELS

WORDS: dict[str, str] = {
    "app": N_("refurb"),
    "dashboard": N_("Dashboard"),
    "devices": N_("Devices"),
    "device": N_("Device"),
    "lots": N_("Lots"),
    "lot": N_("Lot"),
    "participants": N_("Participants"),
    "reports": N_("Reports"),
    "accounts": N_("Accounts"),
    "sign_in": N_("Sign in"),
    "sign_out": N_("Sign out"),
    "name": N_("Name"),
    "password": N_("Password"),
    "password_again": N_("Password again"),
    "role": N_("Role"),
    "active": N_("Active"),
    "signed_in_as": N_("Signed in as"),
    "search": N_("Search"),
    "search_hint": N_("tag, serial, drive serial or model"),
    "filter": N_("Filter"),
    "all": N_("all"),
    "status": N_("Status"),
    "community": N_("Community"),
    "tag": N_("Tag"),
    "vendor": N_("Vendor"),
    "model": N_("Model"),
    "serial": N_("Serial"),
    "chassis": N_("Chassis"),
    "verdict": N_("Verdict"),
    "grade": N_("Grade"),
    "received_at": N_("Received"),
    "next_page": N_("Next page"),
    "previous_page": N_("Previous page"),
    "first_page": N_("First page"),
    "devices_match": N_("devices match"),
    "not_counted": N_("Too many to count in time: narrow the filter."),
    "not_recorded": N_("(not recorded)"),
    "count_by": N_("Count by status, verdict, grade, lot, community and chassis"),
    "counts": N_("counts"),
    "back_to_list": N_("Back to the list"),
    "trainees": N_("Trainees"),
    "trainees_intro": N_(
        "What each operator recorded in the period, counted from the records as the "
        "funder report counts them. Open a name for the evidence, printable."
    ),
    "operator": N_("Operator"),
    "diagnostics": N_("Devices diagnosed"),
    "wipes": N_("Wipes recorded"),
    "verifications": N_("Wipes verified"),
    "repairs": N_("Put in repair"),
    "made_ready": N_("Made ready"),
    "evidence": N_("Record of practical work"),
    "evidence_intro": N_(
        "Every step below is in the shop's records under this operator's name; each can "
        "be checked on the device's page."
    ),
    "printed": N_("Printed"),
    "station": N_("Station"),
    "print": N_("Print"),
    "print_hint": N_("Print this page (Ctrl+P) or save it as PDF from the browser's print dialog."),
    "steps": N_("Steps"),
    "step.wipe": N_("wipe performed"),
    "step.verification": N_("wipe verified"),
    "signature": N_("Signature of the supervisor"),
    "issued_to": N_("Issued"),
    "returned_on": N_("Returned"),
    "holds": N_("Has it now"),
    "yes": N_("yes"),
    "no": N_("no"),
    "participant_devices": N_("Devices issued to this participant"),
    "no_devices": N_("No devices match."),
    "download": N_("Download"),
    "identity": N_("Identity"),
    "findings": N_("Findings"),
    "drives": N_("Drives and their sanitization"),
    "not_sanitized": N_("NOT SANITIZED"),
    "removed": N_("removed"),
    "history": N_("History"),
    "label_pdf": N_("Label (PDF)"),
    "actions": N_("What can be done now"),
    "not_now": N_("Not now"),
    "no_actions": N_("Nothing can be done to it now."),
    "your_role_views": N_("Your role views this device; a lead records its steps."),
    "action.wipe": N_("Record a wipe (NIST SP 800-88)"),
    "action.repairing": NC_("action", "Put in repair"),
    "action.ready": N_("Make ready"),
    "action.issue": N_("Issue to a participant"),
    "action.return": N_("Returned by the participant"),
    "action.harvest": N_("Harvest a part"),
    "action.recycle": N_("Send to the recycler"),
    "action.attest": N_("A lead's attestation"),
    "drive": N_("Drive"),
    "all_drives": N_("every drive"),
    "level": N_("Level"),
    "method": N_("Method"),
    "tool": N_("Tool"),
    "tool_version": N_("Tool version"),
    "verification_method": N_("How it was verified"),
    "verification_result": N_("Verification result"),
    "verified_by": N_("Verified by"),
    "destination": N_("Destination of the media"),
    "note": N_("Note"),
    "participant": N_("Participant"),
    "part": N_("Part"),
    "description": N_("Description"),
    "into": N_("Fitted into (tag)"),
    "missed_by_probe": N_("The probe missed it: say what"),
    "what": N_("What"),
    "reason": N_("Reason"),
    "record": N_("Record"),
    "done": N_("Done"),
    "refused": N_("Refused"),
    "donor": N_("Donor"),
    "code": N_("Code"),
    "date_received": N_("Received on"),
    "choice": N_("Donor's choice"),
    "site": N_("Site"),
    "weight_kg": N_("Weight (kg)"),
    "add_lot": N_("New lot"),
    "add_participant": N_("New participant"),
    "add_account": N_("New account"),
    "change": N_("Change"),
    "certificate_pdf": N_("Sanitization certificate (PDF)"),
    "codes_only": N_("Participants are known by a pseudonymous code only; enter no names."),
    "period": N_("Period"),
    "month": N_("Month (YYYY-MM)"),
    "quarter": N_("Quarter (YYYY-Qn)"),
    "fiscal_year": N_("Fiscal year from April"),
    "since": N_("From (YYYY-MM-DD)"),
    "until": N_("Until, exclusive"),
    "show": N_("Show"),
    "this_month": N_("This month"),
    "this_fiscal_year": N_("This fiscal year"),
    "all_time": N_("All time"),
    "by_status": N_("Devices by status now"),
    "recent": N_("Recent activity"),
    "nothing_yet": N_("Nothing yet."),
    "when": N_("When"),
    "who": N_("Who"),
    "not_found": N_("Not found"),
    "not_found_page": N_("There is no such page or device."),
    "forbidden": N_("Not for your role"),
    "forbidden_text": N_("Your account's role does not open this page."),
    "bad_request": N_("That did not work"),
    "db_down": N_("The database is not answering"),
    "db_down_text": N_(
        "Nothing was changed. Try again in a moment; if it lasts, tell whoever runs the server."
    ),
    "server_error": N_("Something went wrong"),
    "server_error_text": N_("Nothing was shown of it here; it is written in the server's log."),
    "csrf": N_(
        "This form is out of date or came from another site; nothing was changed. "
        "Reload the page and send it again."
    ),
    "bad_login": N_("Wrong name or password."),
    "too_many": N_("Too many failed sign-ins for this name from here; wait 15 minutes."),
    "setup": N_("Create the first admin"),
    "setup_text": N_("This link works once. The account it makes can add everyone else."),
    "passwords_differ": N_("The two passwords differ."),
    "back": N_("Back"),
    "json": N_("JSON"),
    "csv": N_("CSV"),
    "pdf": N_("PDF"),
    "figures_note": N_("The downloads are exactly `refurb report` for this period and language."),
    "report_lang": N_("Language of the report"),
    "ready_now": N_("Ready to issue now"),
    "in_shop_now": N_("In the shop now (not yet ready)"),
    "community_row": N_("This community"),
    "events_kind.status": N_("status"),
    "chart_by_month": N_("Devices received and issued by month"),
    "chart_by_community": N_("Devices received and issued by community"),
    # intake page
    "intake": N_("Intake"),
    "intake_title": N_("Record a device from its snapshot"),
    "intake_help": N_(
        "Choose the .json file that `refurb probe --json` or the USB-stick agent wrote on "
        "this laptop, answer the bench checklist, and record it: the verdict, the record and "
        "the label are the same as `refurb intake`."
    ),
    "snapshot_file": N_("Snapshot file"),
    "checklist": N_("Bench checklist"),
    "answer_pass": N_("works"),
    "answer_fail": N_("does not work"),
    "answer_skip": N_("not tried"),
    "cosmetic_grade": N_("Cosmetic condition"),
    "not_graded": N_("not graded"),
    "notes": N_("Notes"),
    "no_lot": N_("(no lot)"),
    "outcome.new": N_("New device"),
    "outcome.updated": N_("Known device, new snapshot"),
    "outcome.known": N_("Already recorded"),
    "open_device": N_("Open the device"),
    "print_label": N_("Label (PDF)"),
    "next_device": N_("Next device"),
    # scan page
    "scan": N_("Scan"),
    "scan_camera": N_("Camera"),
    "scan_camera_start": N_("Start the camera"),
    "scan_camera_on": N_("Scanning: hold each label in view."),
    "scan_camera_failed": N_("The camera did not start"),
    "scan_insecure": N_(
        "The live camera needs a secure connection (https, or this computer itself); "
        "this page was opened over plain http on the network. Take a photo of the label "
        "below instead, or start refurb serve with --tls."
    ),
    "scan_photo": N_("Photo of a label"),
    "scan_photo_take": N_("Photo"),
    "scan_send": N_("Send"),
    "scan_typed": N_("Scanner or keyboard"),
    "scan_add": N_("Add"),
    "scan_list": N_("Scanned"),
    "scan_warning": N_("Warning"),
    "scan_remove": N_("Remove"),
    "scan_clear": N_("Clear the list"),
    "scan_added": N_("Added"),
    "scan_duplicate": N_("Already in the list"),
    "scan_unknown": N_("No device on record with this tag"),
    "scan_action": N_("For the whole list"),
    "scan_pick": N_("Action"),
    "scan_participant_hint": N_(
        "To issue: scan or type the participant's code here (with the camera on, tap this "
        "field first, then show the code)."
    ),
    "scan_do_stocktake": N_("Stocktake: seen at the site"),
    "scan_do_site": N_("Move to the site"),
    "scan_do_ready": N_("Make ready"),
    "scan_do_ship": N_("Add to a recycling shipment"),
    "scan_do_labels": N_("Print labels"),
    "scan_do_issue": N_("Issue (one device)"),
    "scan_shipment": N_("Shipment"),
    "scan_stock": N_("Label stock"),
    "scan_go": N_("Do it"),
    "scan_outcomes": N_("Result"),
    "scan_done": N_("done"),
    "scan_refused": N_("refused"),
    "scan_missing": N_("Expected here but not seen"),
    "scan_unexpected": N_("Seen here but not expected"),
}

STATUS_WORDS: dict[str, str] = {
    "received": N_("received"),
    "diagnosed": N_("diagnosed"),
    "wiped": N_("wiped"),
    "repairing": N_("in repair"),
    "ready": N_("ready"),
    "issued": N_("issued"),
    "returned": N_("returned"),
    "harvested": N_("harvested"),
    "recycled": N_("recycled"),
}


def languages() -> list[str]:
    """The languages the pages offer: English and every compiled catalogue."""
    return available_languages()


def words(lang: str) -> Callable[[str], str]:
    """The ``_`` a template calls: ``_("Search")`` (English text, in the catalogue), or
    a key of WORDS/LABELS that Python code passes (``_(title)``). Text the catalogue
    lacks shows in English (refurb.i18n), never an error page."""
    tr = gettext_for(lang)

    def lookup(key: str) -> str:
        for table in (WORDS, LABELS):
            if key in table:
                return tr(table[key])
        return tr(key)

    return lookup


def status_word(status: str | None, lang: str) -> str:
    return gettext_for(lang)(STATUS_WORDS[status]) if status in STATUS_WORDS else (status or "")


def verdict_word(disposition: str | None, lang: str) -> str:
    return gettext_for(lang)(DISPOSITION[disposition]) if disposition in DISPOSITION else "-"


def finding_word(status: str | None, lang: str) -> str:
    return gettext_for(lang)(STATUS[status]) if status in STATUS else (status or "")
