"""The official WeCom sample vector (callback.md §4) decrypts and verifies with the stand-in's crypto."""

from urllib.parse import unquote

import xmltodict

from wecom_standin import crypto

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"

ECHOSTR = unquote("P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D")
POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYv"
    "uJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+Lt"
    "wGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8"
    "V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1p"
    "tDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


def test_get_echostr_signature_matches_and_decrypts_to_the_published_answer():
    assert crypto.signature(TOKEN, "1409659589", "263014780", ECHOSTR) == "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    assert crypto.decrypt(ECHOSTR, AES_KEY) == ("1616140317555161061", CORP_ID)


def test_post_encrypt_signature_matches_and_decrypts_to_a_text_message():
    assert crypto.signature(TOKEN, "1409659813", "1372623149", POST_ENCRYPT) == (
        "477715d11cdb4164915debcba66cb864d751f3e6"
    )
    plain, receive_id = crypto.decrypt(POST_ENCRYPT, AES_KEY)
    msg = xmltodict.parse(plain)["xml"]
    assert receive_id == CORP_ID
    assert msg["MsgType"] == "text"
    assert msg["Content"] == "hello"
    assert msg["MsgId"] == "4561255354251345929"
    assert msg["FromUserName"] == "mycreate"
    assert msg["AgentID"] == "218"
