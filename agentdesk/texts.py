"""What the desk says in the customer's chat (해요체, short). Agent names are display names."""

TAKEN = "상담원 {name} 님이 연결됐어요. 궁금한 점을 편하게 말씀해 주세요."
HANDED_BACK = "상담원 상담이 끝났어요. 이제 도우미가 다시 답해 드려요. 궁금한 점을 말씀해 주세요."
CLOSED = "상담이 종료됐어요. 이용해 주셔서 감사해요. 다른 궁금한 점은 도우미에게 물어봐 주세요."
CUSTOMER_LEFT = "상담원 연결을 그만뒀어요. 이제 도우미가 다시 답해 드려요."
NOT_PAUSED = "상담원 연결 요청을 찾지 못했어요. '상담원 연결'이라고 다시 말씀해 주세요."
DESK_DOWN = "상담원 연결 서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요."
TIMED_OUT = ("지금은 상담원 연결이 어려워 요청을 마쳤어요. 이제 도우미가 다시 답해 드려요. "
             "급하시면 고객센터 {phone}번으로 전화해 주세요.")
