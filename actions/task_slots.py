"""Slot names of the guided tasks, and which of them are reset when.

The form's requested slots are asked of the customer; the rest are working memory the
actions set. None of them influences dialogue prediction: rules only look at intents
and the active loop.
"""
from __future__ import annotations

# Asked by the form (custom mappings, filled by validate_task_form).
VERIFY_METHOD = "verify_method"
CUSTOMER_NAME = "customer_name"
BIRTH_DATE = "birth_date"
MOBILE_NUMBER = "mobile_number"
VERIFICATION_CODE = "verification_code"
ARS_WAIT = "ars_wait"  # the ARS step: the customer keys the digits on the call, then says '완료'
ACCOUNT_PASSWORD = "account_password"  # issuance's second factor (계좌 비밀번호), checked by the backend
CURRENT_PIN = "current_pin"
NEW_PIN = "new_pin"
NEW_PIN_CONFIRM = "new_pin_confirm"
DEVICE_NAME = "device_name"
TASK_CONFIRM = "task_confirm"
CANCEL_CONFIRM = "cancel_confirm"
SWITCH_CONFIRM = "switch_confirm"
RETRY_CONFIRM = "retry_confirm"

VERIFICATION_SLOTS = (VERIFY_METHOD, CUSTOMER_NAME, BIRTH_DATE, MOBILE_NUMBER, VERIFICATION_CODE, ARS_WAIT)
# Asked with a masked field; what is typed at these steps is redacted from the tracker store.
SECRET_SLOTS = (VERIFICATION_CODE, ACCOUNT_PASSWORD, CURRENT_PIN, NEW_PIN, NEW_PIN_CONFIRM)
PIN_SLOTS = (CURRENT_PIN, NEW_PIN, NEW_PIN_CONFIRM)
CONFIRM_SLOTS = (TASK_CONFIRM, CANCEL_CONFIRM, SWITCH_CONFIRM, RETRY_CONFIRM)

# Working memory.
TASK = "task"
STEP_LABEL = "step_label"
OUTCOME = "task_outcome"
VERIFICATION_ID = "verification_id"
MASKED_PHONE = "masked_phone"
ARS_DIGITS = "ars_digits"  # shown on screen; the phone keys them in (not a secret: the phone is the proof)
VERIFICATION_TOKEN = "verification_token"
TOKEN_EXPIRES_AT = "token_expires_at"
CERT_SERIAL = "cert_serial"
CERT_STATE = "cert_state"
CERT_EXPIRES_ON = "cert_expires_on"
CERT_DAYS_LEFT = "cert_days_left"
RENEWAL_OPENS_ON = "renewal_opens_on"
DAYS_UNTIL_OPEN = "days_until_open"
NEW_EXPIRES_ON = "new_expires_on"
DEVICES = "connected_devices"
CANCEL_PENDING = "cancel_pending"
SWITCH_TO = "switch_to"
OUTAGE_SLOT = "outage_slot"
SUBMISSION_KEY = "submission_key"
FAILED_SLOT = "failed_slot"
FAILED_COUNT = "failed_count"

CERTIFICATE_SLOTS = (CERT_SERIAL, CERT_STATE, CERT_EXPIRES_ON, CERT_DAYS_LEFT, RENEWAL_OPENS_ON,
                     DAYS_UNTIL_OPEN, NEW_EXPIRES_ON, DEVICES)
# Cleared whenever a task starts or ends; identity and the verification token survive so a
# verified customer is not asked again within the token's lifetime.
TASK_SCOPED = (ACCOUNT_PASSWORD, CURRENT_PIN, NEW_PIN, NEW_PIN_CONFIRM, DEVICE_NAME, *CONFIRM_SLOTS, OUTCOME, STEP_LABEL,
               CANCEL_PENDING, SWITCH_TO, OUTAGE_SLOT, SUBMISSION_KEY, FAILED_SLOT, FAILED_COUNT)
# Cleared when a new identity check starts.
VERIFICATION_SCOPED = (*VERIFICATION_SLOTS, VERIFICATION_ID, MASKED_PHONE, ARS_DIGITS,
                       VERIFICATION_TOKEN, TOKEN_EXPIRES_AT, *CERTIFICATE_SLOTS)

REQUESTED = "requested_slot"
MASKED = "●●●●●●"  # what a used code slot keeps instead of the code
