"""docs/workflow.md shows the machine as it is."""

import os
import re

from recognition.cases.models import FINAL_STATES, State
from recognition.cases.workflow import MACHINE, STEPS, mermaid_diagram

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "workflow.md")


def test_doc_holds_the_current_diagram():
    with open(DOC, encoding="utf-8") as doc:
        match = re.search(r"```mermaid\n(.*?)```", doc.read(), re.S)
    assert match, "docs/workflow.md has no mermaid block"
    assert match.group(1) == mermaid_diagram(), "regenerate with: flask --app wsgi workflow-diagram"


def test_diagram_has_every_transition_of_the_table_and_no_other():
    edges = re.findall(r"^ *(\w+) --> (\w+): (.+)$", mermaid_diagram(), re.M)
    drawn = {(source, dest, trigger.strip()) for source, dest, names in edges for trigger in names.split("|")}
    table = {(source.value, step.dest.value, step.trigger) for step in STEPS for source in step.source}
    assert drawn == table


def test_the_machine_is_the_table():
    machine = {
        (transition.source, transition.dest, trigger)
        for trigger, event in MACHINE.events.items()
        for transitions in event.transitions.values()
        for transition in transitions
    }
    table = {(source.value, step.dest.value, step.trigger) for step in STEPS for source in step.source}
    assert machine == table


def test_every_state_is_reachable_and_every_non_final_state_has_an_exit():
    reachable, frontier = {State.draft}, [State.draft]
    while frontier:
        state = frontier.pop()
        for step in STEPS:
            if state in step.source and step.dest not in reachable:
                reachable.add(step.dest)
                frontier.append(step.dest)
    assert reachable == set(State)
    finals = set(FINAL_STATES)
    exits = {source for step in STEPS for source in step.source}
    assert set(State) - finals == exits


def test_cli_prints_the_diagram(app):
    result = app.test_cli_runner().invoke(args=["workflow-diagram"])
    assert result.exit_code == 0
    assert result.output == mermaid_diagram()
