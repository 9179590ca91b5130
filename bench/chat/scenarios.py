"""The conversations the benchmark replays: realistic Korean ones for the project, the stock
bot's own English ones for the baseline, with the same shape (turn counts, concurrency).

Task turns are answered from what the bot just asked, as a customer would, so the scripts keep
working when a flow gains or loses a step; every turn is classified by whether answering it
makes the assistant call the certificate backend.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Awaitable, Callable, List

from bench.chat.loadgen import FAQ, SMALL_TALK, STEP, STEP_BACKEND, STEP_SCRYPT, Reply, Script, Turn

FAQ_QUESTIONS = (
    "금융인증서 갱신은 어떻게 해요?", "발급 받으려면 뭐가 필요해요?", "새 폰에서도 쓸 수 있나요?",
    "비번 까먹었어요", "유효기간이 얼마나 돼요?", "갱신 기간이 언제예요?", "수수료 있어요?",
    "공동인증서랑 뭐가 달라요", "인증서 어디에 저장돼요?", "다른 은행에서도 쓸 수 있어?",
    "비밀번호 5번 틀렸는데 어떡해요", "만료됐으면 어떻게 해요", "재발급하면 예전 건 어떻게 돼요?",
    "프로그램 설치해야 되나요", "고객센터 번호 알려주세요",
)
SMALL_TALK_TURNS = ("안녕하세요", "고마워요", "너 사람이야?", "좋아요")
# Each is answered by the stock bot in any state (its rules and stories), so no turn is empty.
STOCK_TURNS = ("hi", "I am feeling sad", "yes", "are you a bot?", "great", "goodbye", "hello there",
               "I am happy", "am I talking to a bot?", "bye")

PIN = "135790"


@dataclass(frozen=True)
class BenchCustomer:
    name: str
    birth_date: str  # YYYY-MM-DD
    phone: str       # 010-1234-5678

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}-****-{self.phone[-4:]}"


# (customer, sender, the customer's HTTP session) -> the newest code the demo phone received for
# that conversation (through the backend for REST; through the web front's /demo/phone for the web,
# whose conversation id lives in the session's cookie).
CodeReader = Callable[[BenchCustomer, str, object], Awaitable[str]]


def _is_secret_step(reply: Reply) -> bool:
    return any((m.get("custom") or {}).get("input") == "secret" for m in reply.messages)


def answer_for(reply: Reply, customer: BenchCustomer) -> tuple:
    """(turn type, text or None for the code) answering the step the bot just asked."""
    text = reply.text
    buttons = " ".join(b.get("title", "") for m in reply.messages for b in m.get("buttons") or [])
    if _is_secret_step(reply) and "인증번호" in text:
        return STEP_BACKEND, None  # the code from the demo phone: confirming calls the backend
    if _is_secret_step(reply) and "비밀번호" in text:
        return STEP_SCRYPT, PIN  # the renewal itself: one scrypt derivation, a new key, a signature
    if "문자" in buttons:
        return STEP, "휴대폰 문자로 할게요"
    if "이름" in text:
        return STEP, customer.name
    if "생년월일" in text:
        year, month, day = customer.birth_date.split("-")
        return STEP, f"{year}년 {int(month)}월 {int(day)}일"
    if "휴대폰 번호" in text:
        return STEP_BACKEND, customer.phone.replace("-", " ")  # starts the verification
    return STEP, "네"  # the agreement to the summary: no backend call (the PIN that follows renews)


def renewal_turns(customer: BenchCustomer, sender: str, read_code: CodeReader, steps: int = 8) -> List[Turn]:
    """Start a renewal, then answer whatever step is asked; the last answer must finish it."""
    turns = [Turn(STEP, "금융인증서 갱신하고 싶어요")]
    for _ in range(steps - 1):
        async def compose(reply: Reply, session, customer=customer):
            kind, text = answer_for(reply, customer)
            return kind, text if text is not None else await read_code(customer, sender, session)
        turns.append(Turn(STEP, compose=compose))
    turns[-1].check = _expect("갱신이 끝났어요")
    return turns


def _expect(fragment: str):
    def check(reply: Reply) -> None:
        if fragment not in reply.text:
            raise AssertionError(f"expected «{fragment}» in «{reply.text[:120]}»")
    return check


def project_script(customer: BenchCustomer, sender: str, read_code: CodeReader, turns: int) -> Script:
    """One customer's conversation of exactly `turns` turns: small talk, FAQs, a renewal, a status."""
    questions = itertools.cycle(FAQ_QUESTIONS[hash(sender) % len(FAQ_QUESTIONS):] + FAQ_QUESTIONS)
    chatter = itertools.cycle(SMALL_TALK_TURNS)
    filler = max(turns - 10, 0)
    before = filler // 2
    script = [Turn(SMALL_TALK, next(chatter))]
    script += [Turn(FAQ, next(questions)) if i % 4 else Turn(SMALL_TALK, next(chatter)) for i in range(before - 1)]
    script += renewal_turns(customer, sender, read_code)
    script.append(Turn(STEP_BACKEND, "내 인증서 상태 알려줘", check=_expect("만료일")))
    script += [Turn(FAQ, next(questions)) if i % 4 else Turn(SMALL_TALK, next(chatter))
               for i in range(turns - len(script))]
    return Script(sender, script[:turns])


def stock_script(sender: str, turns: int) -> Script:
    cycle = itertools.cycle(STOCK_TURNS[hash(sender) % len(STOCK_TURNS):] + STOCK_TURNS)
    return Script(sender, [Turn(FAQ, next(cycle)) for _ in range(turns)])
