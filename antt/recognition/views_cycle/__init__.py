"""The yearly cycle in the browser, and each officer's work list (the home page).

Thin function views: parse → scoped fetch → service → render. Every object comes from a
``visible_to(request.user)`` queryset (out of jurisdiction is a 404); acting is
``workflow.can`` (seeing without acting is a 403 on POST, and no buttons); every write is a
service call whose errors come back as a Vietnamese message on the page.
"""

from antt.recognition.views_cycle.decisions import (
    decision_annul,
    decision_certify,
    decision_create,
    decision_detail,
    decision_documents,
)
from antt.recognition.views_cycle.dossier import (
    registration_appraise,
    registration_assess,
    registration_detail,
    registration_generate,
    registration_return,
    registration_submit,
    registration_upload,
)
from antt.recognition.views_cycle.home import work_list
from antt.recognition.views_cycle.registrations import (
    cycle_home,
    registration_bulk,
    registration_create,
    registration_list,
)

__all__ = [
    "cycle_home",
    "decision_annul",
    "decision_certify",
    "decision_create",
    "decision_detail",
    "decision_documents",
    "registration_appraise",
    "registration_assess",
    "registration_bulk",
    "registration_create",
    "registration_detail",
    "registration_generate",
    "registration_list",
    "registration_return",
    "registration_submit",
    "registration_upload",
    "work_list",
]
