"""CallbackClient delivers like WeCom: signed query, envelope, re-encrypted retries, parallel copies."""

import itertools

from wecom_standin import CallbackClient, xml


def client(receiver, **kw):
    return CallbackClient(receiver.url, receiver.token, receiver.aes_key, receiver.corp_id, **kw)


def test_verify_url_gets_the_plain_echostr_back(receiver):
    resp = client(receiver).verify_url("1616140317555161061")
    assert resp.status_code == 200 and resp.text == "1616140317555161061"


def test_app_message_envelope_carries_agentid_and_sys_event_does_not(receiver):
    cb = client(receiver)
    assert cb.send(xml.text_message("zhangsan", "跟进 王总", msg_id=7312345678901234567)).status == 200
    assert cb.send(xml.contact_added("zhangsan", "wmCust0001", state="expo2026_booth3")).acknowledged
    first, second = receiver.seen
    assert first["envelope"]["AgentID"] == "1000002" and first["envelope"]["ToUserName"] == receiver.corp_id
    assert "AgentID" not in second["envelope"]
    assert xml.parse(second["plain"])["ChangeType"] == "add_external_contact"


def test_retries_after_timeouts_use_new_ciphertext_nonce_and_timestamp(receiver):
    receiver.stall_first = 2
    cb = client(receiver, timeout=0.3, clock=itertools.count(1763880000).__next__)
    delivery = cb.send(xml.contact_deleted_by_customer("lisi", "wmCust0003", create_time=1763880000))
    assert [a.status for a in delivery.attempts] == [None, None, 200]
    assert len(receiver.seen) == 3 and len({s["plain"] for s in receiver.seen}) == 1
    assert len({s["encrypt"] for s in delivery.sent}) == 3
    assert len({s["nonce"] for s in delivery.sent}) == 3
    assert [s["timestamp"] for s in delivery.sent] == ["1763880000", "1763880001", "1763880002"]


def test_concurrent_copies_arrive_with_distinct_ciphertexts(receiver):
    deliveries = client(receiver).concurrent_send(xml.enter_agent("zhangsan", create_time=1763880000), copies=4)
    assert [d.status for d in deliveries] == [200] * 4
    assert len({s["envelope"]["Encrypt"] for s in receiver.seen}) == 4
    assert len({s["plain"] for s in receiver.seen}) == 1


def test_forged_signature_is_rejected_by_a_checking_receiver(receiver):
    cb = client(receiver)
    encrypt = cb.encrypt(xml.enter_agent("zhangsan"))
    query = {**cb.signed_query(encrypt), "msg_signature": "0" * 40}
    assert cb.send_raw(cb.envelope(encrypt, 1000002), query).status_code == 403
