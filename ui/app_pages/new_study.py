"""New study: the task form, validated as you type, then run here or on Argo."""

import streamlit as st

from ui.taskfile import default_values
from ui.validation import check
from ui.views import form_sections as sections
from ui.views import form_state, form_submit

st.title("New study")
form_state.ensure(default_values())
form_submit.import_panel()
sections.sanitize()
spots = sections.Spots()
sections.study_section(spots)
sections.model_section(spots)
sections.engine_section(spots)
sections.parameters_section(spots)
sections.search_section(spots)
sections.objective_section(spots)
sections.benchmark_section(spots)
sections.schedule_section(spots)

checked = check(form_state.current())
spots.fill(checked)
st.divider()
if checked.ok:
    st.success("The task is valid.")
else:
    st.warning(f"{len(checked.problems)} problem(s): see the messages beside the fields.")
form_submit.export_and_preview(checked)
form_submit.submit_panel(checked)
form_state.save()
