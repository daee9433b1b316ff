"""Language detection on short, noisy messages in the languages a desk meets most."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from rippledesk.analysis import language
from rippledesk.analysis.language import LANGUAGES, detect_language, warm_up

# Written for these tests: tweet-like customer-service messages, ten per language.
TWEETS = [
    ("en", "@united my flight got cancelled again, what now?"),
    ("en", "Still waiting for my bag after three days"),
    ("en", "thanks so much, the crew was lovely"),
    ("en", "Where is my refund? It has been two weeks"),
    ("en", "can someone call me back please"),
    ("en", "worst customer service ever #fail"),
    ("en", "Is the lounge open today?"),
    ("en", "love the new seats 😍"),
    ("en", "I was charged twice for the same ticket"),
    ("en", "my order never arrived http://t.co/abc"),
    ("fr", "@AirFrance mon vol a été annulé, que faire ?"),
    ("fr", "Toujours pas de nouvelles de ma valise"),
    ("fr", "merci beaucoup pour votre aide"),
    ("fr", "Le service client ne répond jamais"),
    ("fr", "Pourquoi je dois payer encore une fois ?"),
    ("fr", "j'attends mon remboursement depuis un mois"),
    ("fr", "Vous pouvez me rappeler s'il vous plaît"),
    ("fr", "super équipage, vol très agréable 👍"),
    ("fr", "la commande est arrivée cassée"),
    ("fr", "c'est inadmissible, trois heures de retard"),
    ("es", "@Iberia mi vuelo fue cancelado, ¿qué hago?"),
    ("es", "Todavía no ha llegado mi maleta"),
    ("es", "muchas gracias por la ayuda"),
    ("es", "El servicio al cliente nunca contesta"),
    ("es", "¿Por qué tengo que pagar otra vez?"),
    ("es", "llevo un mes esperando el reembolso"),
    ("es", "¿Me pueden llamar, por favor?"),
    ("es", "tripulación genial, vuelo muy cómodo 👍"),
    ("es", "el pedido llegó roto"),
    ("es", "es una vergüenza, tres horas de retraso"),
    ("de", "@lufthansa mein Flug wurde gestrichen, was jetzt?"),
    ("de", "Mein Koffer ist immer noch nicht da"),
    ("de", "vielen Dank für die Hilfe"),
    ("de", "Der Kundenservice antwortet nie"),
    ("de", "Warum muss ich noch einmal bezahlen?"),
    ("de", "ich warte seit einem Monat auf die Erstattung"),
    ("de", "Können Sie mich bitte zurückrufen"),
    ("de", "tolle Crew, sehr angenehmer Flug 👍"),
    ("de", "die Bestellung kam kaputt an"),
    ("de", "unmöglich, drei Stunden Verspätung"),
    ("pt", "@latam meu voo foi cancelado, e agora?"),
    ("pt", "Minha mala ainda não chegou"),
    ("pt", "muito obrigado pela ajuda"),
    ("pt", "O atendimento nunca responde"),
    ("pt", "Por que tenho que pagar de novo?"),
    ("pt", "estou esperando o reembolso há um mês"),
    ("pt", "Vocês podem me ligar, por favor?"),
    ("pt", "tripulação ótima, voo muito confortável 👍"),
    ("pt", "o pedido chegou quebrado"),
    ("pt", "que vergonha, três horas de atraso"),
    ("it", "@Alitalia il mio volo è stato cancellato, e adesso?"),
    ("it", "La mia valigia non è ancora arrivata"),
    ("it", "grazie mille per l'aiuto"),
    ("it", "Il servizio clienti non risponde mai"),
    ("it", "Perché devo pagare di nuovo?"),
    ("it", "aspetto il rimborso da un mese"),
    ("it", "Potete richiamarmi per favore?"),
    ("it", "equipaggio fantastico, volo molto comodo 👍"),
    ("it", "l'ordine è arrivato rotto"),
    ("it", "una vergogna, tre ore di ritardo"),
    ("nl", "@KLM mijn vlucht is geannuleerd, wat nu?"),
    ("nl", "Mijn koffer is nog steeds niet aangekomen"),
    ("nl", "heel erg bedankt voor de hulp"),
    ("nl", "De klantenservice reageert nooit"),
    ("nl", "Waarom moet ik opnieuw betalen?"),
    ("nl", "ik wacht al een maand op mijn terugbetaling"),
    ("nl", "Kunnen jullie mij terugbellen alstublieft"),
    ("nl", "geweldige bemanning, heel fijne vlucht 👍"),
    ("nl", "de bestelling kwam kapot aan"),
    ("nl", "schandalig, drie uur vertraging"),
    ("ja", "@JAL_Official 便が欠航になりました。どうすればいいですか？"),  # noqa: RUF001
    ("ja", "荷物がまだ届いていません"),
    ("ja", "ご対応ありがとうございました"),
    ("ja", "カスタマーサービスに電話がつながらない"),
    ("ja", "なぜもう一度払わないといけないの？"),  # noqa: RUF001
    ("ja", "返金を一ヶ月待っています"),
    ("ja", "折り返し電話をお願いします"),
    ("ja", "素晴らしいフライトでした👍"),
    ("ja", "注文した商品が壊れて届いた"),
    ("ja", "三時間も遅れるなんてひどい"),
    ("ar", "@emirates تم إلغاء رحلتي، ماذا أفعل الآن؟"),
    ("ar", "حقيبتي لم تصل بعد"),
    ("ar", "شكرا جزيلا على المساعدة"),
    ("ar", "خدمة العملاء لا ترد أبدا"),
    ("ar", "لماذا يجب أن أدفع مرة أخرى؟"),
    ("ar", "أنتظر استرداد المبلغ منذ شهر"),
    ("ar", "هل يمكنكم الاتصال بي من فضلكم"),
    ("ar", "طاقم رائع ورحلة مريحة جدا 👍"),
    ("ar", "وصل الطلب مكسورا"),
    ("ar", "تأخير ثلاث ساعات، هذا غير مقبول"),
    ("ru", "@aeroflot мой рейс отменили, что теперь делать?"),
    ("ru", "Мой чемодан до сих пор не прибыл"),
    ("ru", "большое спасибо за помощь"),
    ("ru", "Служба поддержки никогда не отвечает"),
    ("ru", "Почему я должен платить ещё раз?"),
    ("ru", "жду возврат денег уже месяц"),
    ("ru", "Перезвоните мне, пожалуйста"),
    ("ru", "отличный экипаж, очень удобный полёт 👍"),
    ("ru", "заказ пришёл сломанным"),
    ("ru", "это позор, задержка на три часа"),
]
# Two or three words each; harder, so the bar is an accuracy, not every case.
VERY_SHORT = [
    ("en", "thank you so much"),
    ("en", "where is my bag"),
    ("en", "still waiting"),
    ("en", "flight delayed again"),
    ("en", "great service"),
    ("fr", "merci beaucoup"),
    ("fr", "où est ma valise"),
    ("fr", "toujours rien"),
    ("fr", "vol encore en retard"),
    ("fr", "service nul"),
    ("es", "muchas gracias"),
    ("es", "dónde está mi maleta"),
    ("es", "sigo esperando"),
    ("es", "vuelo retrasado otra vez"),
    ("es", "pésimo servicio"),
    ("de", "vielen Dank"),
    ("de", "wo ist mein Koffer"),
    ("de", "warte immer noch"),
    ("de", "Flug wieder verspätet"),
    ("de", "toller Service"),
    ("pt", "muito obrigada"),
    ("pt", "cadê minha mala"),
    ("pt", "continuo esperando"),
    ("pt", "voo atrasado de novo"),
    ("pt", "péssimo atendimento"),
    ("it", "grazie mille"),
    ("it", "dov'è la mia valigia"),
    ("it", "sto ancora aspettando"),
    ("it", "volo di nuovo in ritardo"),
    ("it", "servizio pessimo"),
    ("nl", "dank je wel"),
    ("nl", "waar is mijn koffer"),
    ("nl", "nog steeds aan het wachten"),
    ("nl", "vlucht weer vertraagd"),
    ("nl", "slechte service"),
    ("ja", "ありがとう"),
    ("ja", "荷物はどこ"),
    ("ja", "まだ待ってる"),
    ("ja", "また遅延"),
    ("ja", "最悪"),
    ("ar", "شكرا لكم"),
    ("ar", "أين حقيبتي"),
    ("ar", "ما زلت أنتظر"),
    ("ar", "الرحلة متأخرة مرة أخرى"),
    ("ar", "خدمة سيئة"),
    ("ru", "спасибо большое"),
    ("ru", "где мой багаж"),
    ("ru", "всё ещё жду"),
    ("ru", "рейс опять задержан"),
    ("ru", "ужасный сервис"),
]


@pytest.mark.parametrize(("expected", "text"), TWEETS)
def test_short_tweets(expected: str, text: str) -> None:
    assert detect_language(text) == expected


def test_very_short_texts_are_mostly_right() -> None:
    right = sum(detect_language(text) == expected for expected, text in VERY_SHORT)
    assert right / len(VERY_SHORT) >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "!!! ???",
        "12345 678",
        "😡😡😡 👎",
        "@united https://t.co/abc #fail 😡",
        "@JetBlue @united 4:30pm",
        "a b",
        "最悪",
    ],
)
def test_undetermined_when_too_little_is_left(text: str) -> None:
    assert detect_language(text) == "und"


def test_handles_links_and_hashtags_do_not_decide() -> None:
    text = "@lufthansa_de #danke #merci https://example.de/seite mi maleta no ha llegado todavía"
    assert detect_language(text) == "es"


def test_answers_are_iso_639_1_codes() -> None:
    assert all(len(code) == 2 for code in LANGUAGES)
    assert detect_language("Das ist wirklich sehr ärgerlich, wir warten schon lange") in LANGUAGES


def test_long_texts_are_cheap_and_right() -> None:
    assert detect_language("Le vol est en retard. " * 5000) == "fr"


def test_model_loads_once_under_concurrent_first_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid.langid import LanguageIdentifier  # type: ignore[import-untyped]  # noqa: PLC0415

    loads: list[int] = []
    original = LanguageIdentifier.from_model_file.__func__

    def counting(cls: Any, *args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", classmethod(counting))
    monkeypatch.setattr(language, "_identifier", None)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        results.append(detect_language("where is my bag, it has been three days"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1]
    assert results == ["en"] * 4
    warm_up()
    assert loads == [1]
