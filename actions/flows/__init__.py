"""The guided tasks, one module each, looked up by the intent that starts them."""
from typing import Dict, Optional

from actions.flows.base import Flow
from actions.flows.change_pin import ChangePinFlow
from actions.flows.devices import DevicesFlow
from actions.flows.issue import IssueFlow
from actions.flows.renew import RenewFlow
from actions.flows.revoke import RevokeFlow
from actions.flows.status import StatusFlow

FLOWS: Dict[str, Flow] = {flow.task: flow for flow in (
    IssueFlow(), RenewFlow(), StatusFlow(), DevicesFlow(), RevokeFlow(), ChangePinFlow())}


def flow_for(task: Optional[str]) -> Optional[Flow]:
    return FLOWS.get(task or "")
