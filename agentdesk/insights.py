"""Conversation insights for the bot team: `make insights` (text tables) and the console's
analyst page (JSON drawn as tables and bar charts). Never a secret or a full name: texts pass
through the redaction rules and agentdesk.privacy, and step answers (names, dates, codes) are left out.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any, Dict, List

from agentdesk.analysis import SUCCESS, Walk, walk
from agentdesk.hours import bank_zone

TASK_TITLES = {
    "renew_certificate": "갱신", "issue_certificate": "발급", "check_certificate": "상태 확인",
    "copy_certificate": "다른 기기 연결", "revoke_certificate": "폐기", "change_pin": "비밀번호 변경",
}


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(bank_zone()).strftime("%Y-%m-%d")


def _bot_side(walked: Walk) -> List:
    """Customer messages the bot had to understand: typed, not a step answer, not to an agent."""
    return [m for m in walked.messages if not m.payload and not m.in_step and not m.with_agent]


def compute(conversations: Dict[str, List[Dict[str, Any]]], top_n: int = 10) -> Dict[str, Any]:
    walks = [walk(cid, events) for cid, events in conversations.items()]
    walks = [w for w in walks if w.messages]
    per_day = Counter(_day(w.first_ts) for w in walks)
    faq = Counter()
    typed, fallbacks = 0, []
    for w in walks:
        for m in w.messages:
            if m.with_agent or m.in_step:
                continue
            if m.label and m.label.startswith("faq/") and m.intent in ("faq",):
                faq[m.label[4:]] += 1
        for m in _bot_side(w):
            typed += 1
            if m.intent == "nlu_fallback":
                fallbacks.append({"text": m.text, "guess": m.label, "day": _day(m.ts), "ts": m.ts})
    funnels = _funnels(walks)
    conversations_n = len(walks)
    return {
        "conversations": conversations_n,
        "per_day": [{"day": d, "count": per_day[d]} for d in sorted(per_day)],
        "faq_top": [{"key": k, "title": _faq_title(k), "count": c} for k, c in faq.most_common(top_n)],
        "typed_messages": typed,
        "fallback_count": len(fallbacks),
        "fallback_rate": round(len(fallbacks) / typed, 3) if typed else 0.0,
        "fallback_messages": sorted(fallbacks, key=lambda f: -f["ts"])[:50],
        "handoff_offered": sum(w.handoff_offered for w in walks),
        "handoff_queued": sum(w.handoff_queued for w in walks),
        "handoff_rate": round(sum(w.handoff_queued for w in walks) / conversations_n, 3) if conversations_n else 0.0,
        "funnels": funnels,
    }


def _funnels(walks: List[Walk]) -> List[Dict[str, Any]]:
    runs = defaultdict(list)
    for w in walks:
        for run in w.tasks:
            runs[run.task].append(run)
    funnels = []
    for task, task_runs in sorted(runs.items(), key=lambda kv: -len(kv[1])):
        total = max((r.total_steps for r in task_runs), default=0)
        titles: Dict[int, str] = _flow_step_titles(task)
        for r in task_runs:
            titles.update(r.steps)
        stages = [{"stage": "시작", "count": len(task_runs)}]
        for n in range(1, total + 1):
            reached = sum(1 for r in task_runs if r.steps and max(r.steps) >= n)
            stages.append({"stage": f"{n}/{total} {titles.get(n, '')}".strip(), "count": reached})
        if task in ("renew_certificate", "issue_certificate", "revoke_certificate"):
            stages.append({"stage": "완료", "count": sum(1 for r in task_runs if r.outcome in SUCCESS)})
        for prev, stage in zip(stages, stages[1:]):
            stage["dropped"] = prev["count"] - stage["count"]
        outcomes = Counter(r.outcome or "(끝나지 않음)" for r in task_runs)
        funnels.append({"task": task, "title": TASK_TITLES.get(task, task), "stages": stages,
                        "outcomes": dict(outcomes),
                        "avg_turns": round(sum(r.user_turns for r in task_runs) / len(task_runs), 1)})
    return funnels


def _faq_title(key: str) -> str:
    from actions.topics import faq_titles

    return faq_titles().get(key, key)


def _flow_step_titles(task: str) -> Dict[int, str]:
    """The task's step names from its flow, so steps nobody reached still have a name."""
    try:
        from actions.flows import flow_for
    except Exception:  # the insights must work without the action server's dependencies
        return {}
    flow = flow_for(task)
    return {n: title for n, title in enumerate(getattr(flow, "step_titles", ()) or (), start=1)}


def _bar(count: int, top: int, width: int = 30) -> str:
    return "█" * (round(count / top * width) if top else 0)


def render_text(report: Dict[str, Any]) -> str:
    out = [f"대화 수: {report['conversations']}", "", "일별 대화 수"]
    top = max((d["count"] for d in report["per_day"]), default=0)
    out += [f"  {d['day']}  {d['count']:>5}  {_bar(d['count'], top)}" for d in report["per_day"]] or ["  (없음)"]
    out += ["", "많이 물어본 FAQ"]
    top = max((f["count"] for f in report["faq_top"]), default=0)
    out += [f"  {f['key']:<22} {f['count']:>5}  {_bar(f['count'], top)}  {f['title']}" for f in report["faq_top"]] \
        or ["  (없음)"]
    out += ["", f"이해하지 못한 메시지(fallback): {report['fallback_count']} / {report['typed_messages']}"
                f" = {report['fallback_rate'] * 100:.1f} %"]
    out += [f"  {m['day']}  {m['text'][:60]}  (추정: {m['guess'] or '-'})" for m in report["fallback_messages"][:20]]
    out += ["", f"상담원 연결: 제안 {report['handoff_offered']}회, 대기열 {report['handoff_queued']}건"
                f" = 대화의 {report['handoff_rate'] * 100:.1f} %"]
    for funnel in report["funnels"]:
        out += ["", f"과제 '{funnel['title']}' ({funnel['task']}): 평균 {funnel['avg_turns']}턴"]
        first = funnel["stages"][0]["count"]
        for stage in funnel["stages"]:
            dropped = f"  (-{stage['dropped']})" if stage.get("dropped") else ""
            out.append(f"  {stage['stage']:<16} {stage['count']:>5}  {_bar(stage['count'], first)}{dropped}")
        out.append("  결과: " + ", ".join(f"{k} {v}" for k, v in sorted(funnel["outcomes"].items())))
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Conversation insights over the stored conversations")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--url", help="SQLAlchemy URL of the tracker store (default: endpoints.yml)")
    args = parser.parse_args(argv)
    from agentdesk.conversation_store import load_conversations, open_conversations

    engine = open_conversations(args.url)
    print(render_text(compute(load_conversations(engine), args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
