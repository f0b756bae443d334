"""The demo city's counters, procedures, questions and citizens, with every
citizen-facing text in the seven languages."""

import datetime as dt

from organization.translation import texts

# Every citizen-facing text in the seven languages, in the order of
# organization.translation.LANGUAGE_ORDER: ja, ja-easy (やさしい日本語: short sentences,
# everyday words, the kanji terms of docs/glossary.md kept; furigana is added when the
# page is shown), en, zh-hans, ko, vi, pt-br.
MAIN_1F = texts(
    "本庁舎1階",
    "本庁舎の1階",
    "Main building, 1st floor",
    "主楼1层",
    "본청사 1층",
    "Tòa nhà chính, tầng 1",
    "Prédio principal, térreo",
)
WELFARE_1F = texts(
    "本庁舎1階 福祉課",
    "本庁舎の1階 福祉課",
    "Main building, 1st floor, Welfare Division",
    "主楼1层 福利课",
    "본청사 1층 복지과",
    "Tòa nhà chính, tầng 1, Ban Phúc lợi",
    "Prédio principal, térreo, Divisão de Bem-Estar Social",
)


def _counter_name(number: int) -> dict[str, str]:
    return texts(
        "%d番窓口" % number,
        "%d番の窓口" % number,
        "Counter %d" % number,
        "%d号窗口" % number,
        "%d번 창구" % number,
        "Quầy số %d" % number,
        "Guichê %d" % number,
    )


COUNTERS = [
    # department code, name, location, clerk username
    ("shimin", _counter_name(1), MAIN_1F, "clerk1"),
    ("shimin", _counter_name(2), MAIN_1F, "clerk2"),
    ("shimin", _counter_name(3), MAIN_1F, "clerk3"),
    ("shimin", _counter_name(4), MAIN_1F, "clerk4"),
    ("fukushi", _counter_name(5), WELFARE_1F, "fukushi1"),
    ("fukushi", _counter_name(6), WELFARE_1F, "fukushi2"),
]

PROOF_OF_IDENTITY = texts(
    "本人確認書類（マイナンバーカード、運転免許証など）",
    "本人確認書類（マイナンバーカード、運転免許証など）",
    "Proof of identity (My Number Card, driving licence, etc.)",
    "身份证明文件（My Number卡、驾驶证等）",
    "본인 확인 서류(마이넘버 카드, 운전면허증 등)",
    "Giấy tờ tùy thân (thẻ My Number, bằng lái xe, v.v.)",
    "Documento de identificação (cartão My Number, carteira de motorista etc.)",
)

PROCEDURES = [
    {
        "code": "jr-commuter-pass",
        "department": "fukushi",
        "name": texts(
            "JR定期券割引の証明書",
            "JR定期券の割引の証明書",
            "Certificate for the JR commuter pass discount",
            "JR月票折扣证明书",
            "JR 정기권 할인 증명서",
            "Giấy chứng nhận giảm giá vé tháng JR",
            "Certificado para desconto no passe da JR",
        ),
        "description": texts(
            "JR定期券の割引を受けるための証明書を発行します。証明書の有効期間は6か月です。"
            "対応できる職員が限られているため、予約なしでお越しの場合はお受けできないことがあります。",
            "JRの定期券を安く買うための証明書を出します。証明書は6か月使えます。"
            "この手続きができる職員は少ないです。予約をしてから来てください。",
            "We issue the certificate for the JR commuter pass discount; it is valid for "
            "6 months. Only some staff can handle it, so without a booking we may not be "
            "able to serve you.",
            "我们签发用于JR月票折扣的证明书，有效期为6个月。能够办理此手续的工作人员有限，"
            "未预约前来可能无法办理。",
            "JR 정기권 할인을 받기 위한 증명서를 발급합니다. 유효 기간은 6개월입니다. "
            "처리할 수 있는 직원이 한정되어 있어 예약 없이 오시면 접수하지 못할 수 있습니다.",
            "Chúng tôi cấp giấy chứng nhận để được giảm giá vé tháng JR, có hiệu lực 6 tháng. "
            "Chỉ một số nhân viên làm được thủ tục này, nên nếu bạn đến mà không có lịch hẹn, "
            "chúng tôi có thể không tiếp nhận được.",
            "Emitimos o certificado para o desconto no passe da JR; ele vale por 6 meses. "
            "Só alguns funcionários fazem este procedimento: sem agendamento, talvez não "
            "possamos atender você.",
        ),
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["fukushi1", "fukushi2"],
        "rules": [
            texts(
                "顔写真（6か月以内に撮影、縦4cm×横3cm）。古い写真は使えません。",
                "顔の写真（6か月以内にとったもの。たて4cm、よこ3cm）。古い写真は使えません。",
                "A photo of your face taken within the last 6 months (4 cm high × 3 cm "
                "wide). Older photos cannot be used.",
                "面部照片（6个月内拍摄，高4厘米×宽3厘米）。不能使用旧照片。",
                "얼굴 사진(6개월 이내 촬영, 세로 4cm × 가로 3cm). "
                "오래된 사진은 사용할 수 없습니다.",
                "Ảnh chân dung chụp trong vòng 6 tháng (cao 4 cm × rộng 3 cm). "
                "Không dùng được ảnh cũ.",
                "Foto do rosto tirada nos últimos 6 meses (4 cm de altura × 3 cm de "
                "largura). Fotos antigas não são aceitas.",
            ),
            texts(
                "通勤・通学の区間がわかるもの（現在の定期券など）",
                "会社や学校に行く区間がわかるもの（今の定期券など）",
                "Something that shows your commuting route (e.g. your current pass)",
                "能显示通勤、通学区间的材料（如现在的月票）",
                "통근·통학 구간을 알 수 있는 것(현재 정기권 등)",
                "Giấy tờ cho biết tuyến đi làm hoặc đi học (ví dụ vé tháng hiện tại)",
                "Algo que mostre o trajeto até o trabalho ou a escola (por exemplo, o passe atual)",
            ),
            PROOF_OF_IDENTITY,
        ],
    },
    {
        "code": "juminhyo",
        "department": "shimin",
        "name": texts(
            "住民票の写し",
            "住民票の写し",
            "Copy of the certificate of residence (juminhyo)",
            "住民票副本",
            "주민표 사본",
            "Bản sao phiếu cư trú",
            "Cópia do atestado de residência",
        ),
        "description": texts(
            "住民票の写しを発行します。",
            "住民票の写しを出します。",
            "We issue a copy of your certificate of residence.",
            "我们签发住民票副本。",
            "주민표 사본을 발급합니다.",
            "Chúng tôi cấp bản sao phiếu cư trú.",
            "Emitimos a cópia do seu atestado de residência.",
        ),
        "duration_minutes": 15,
        "slot_interval_minutes": 15,
        "qualified": ["clerk1", "clerk2", "clerk3", "clerk4"],
        # Questions before the documents: (question, its answers); a rule's third item
        # names the answers it applies for (none: everyone).
        "questions": [("どなたが申請しますか", ["本人", "代理人"])],
        "rules": [
            PROOF_OF_IDENTITY,
            (
                texts(
                    "代理人が申請する場合は委任状",
                    "代理人が申請するときは、委任状",
                    "A letter of proxy if a representative applies for you",
                    "由代理人申请时，需要委托书",
                    "대리인이 신청하는 경우 위임장",
                    "Giấy ủy quyền nếu người đại diện nộp thay bạn",
                    "Procuração, se um representante fizer o pedido por você",
                ),
                ["代理人"],
            ),
        ],
    },
    {
        "code": "inkan-toroku",
        "department": "shimin",
        "name": texts(
            "印鑑登録",
            "印鑑登録",
            "Seal registration (inkan toroku)",
            "印章登记",
            "인감 등록",
            "Đăng ký con dấu",
            "Registro de carimbo",
        ),
        "description": texts(
            "印鑑登録を行い、印鑑登録証をお渡しします。",
            "あなたの印鑑を登録します。印鑑登録証のカードを渡します。",
            "We register your seal and give you a registration card.",
            "为您办理印章登记，并发给印章登记证。",
            "인감을 등록하고 인감등록증을 드립니다.",
            "Chúng tôi đăng ký con dấu của bạn và cấp thẻ đăng ký con dấu.",
            "Registramos o seu carimbo e entregamos o cartão de registro.",
        ),
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["clerk1", "clerk2", "clerk3"],
        "rules": [
            texts(
                "登録する印鑑",
                "登録する印鑑",
                "The seal you want to register",
                "要登记的印章",
                "등록할 인감",
                "Con dấu bạn muốn đăng ký",
                "O carimbo que você quer registrar",
            ),
            texts(
                "顔写真付きの本人確認書類（マイナンバーカード、運転免許証など）",
                "顔の写真がある本人確認書類（マイナンバーカード、運転免許証など）",
                "Proof of identity with a photo (My Number Card, driving licence, etc.)",
                "带照片的身份证明文件（My Number卡、驾驶证等）",
                "사진이 있는 본인 확인 서류(마이넘버 카드, 운전면허증 등)",
                "Giấy tờ tùy thân có ảnh (thẻ My Number, bằng lái xe, v.v.)",
                "Documento de identificação com foto (cartão My Number, carteira de "
                "motorista etc.)",
            ),
        ],
    },
    {
        "code": "tennyu",
        "department": "shimin",
        "name": texts(
            "転入届",
            "転入届",
            "Moving-in notification (tennyu todoke)",
            "迁入申报",
            "전입신고",
            "Thông báo chuyển đến",
            "Notificação de mudança para a cidade",
        ),
        "description": texts(
            "市外から引っ越してきた方の転入届を受け付けます。"
            "引っ越しから14日以内に届け出てください。",
            "ほかの市や町から引っ越してきた人の手続きです。引っ越してから14日以内に来てください。",
            "For people who moved here from another municipality. Please notify us within "
            "14 days of moving.",
            "适用于从其他市町村搬来的人。请在搬家后14天内申报。",
            "다른 시정촌에서 이사 온 분의 전입신고를 접수합니다. "
            "이사 후 14일 이내에 신고해 주십시오.",
            "Dành cho người chuyển đến từ thành phố hoặc thị trấn khác. "
            "Vui lòng thông báo trong vòng 14 ngày sau khi chuyển đến.",
            "Para quem se mudou de outro município. Faça a notificação em até 14 dias "
            "após a mudança.",
        ),
        "duration_minutes": 60,
        "slot_interval_minutes": 30,
        "requires_email_confirmation": True,
        "qualified": ["clerk1", "clerk4"],
        "questions": [("マイナンバーカードをお持ちですか", ["はい", "いいえ"])],
        "rules": [
            (
                texts(
                    "前住所地の転出証明書（マイナンバーカードで転出した場合は不要）",
                    "前に住んでいた市や町の転出証明書（マイナンバーカードで転出したときは、いりません）",
                    "The moving-out certificate from your former municipality (not needed if "
                    "you moved out with your My Number Card)",
                    "原住址市町村开具的迁出证明书（使用My Number卡办理迁出的不需要）",
                    "이전 주소지의 전출증명서(마이넘버 카드로 전출한 경우 필요 없음)",
                    "Giấy chứng nhận chuyển đi của nơi ở cũ (không cần nếu bạn đã làm thủ tục "
                    "chuyển đi bằng thẻ My Number)",
                    "O certificado de mudança do município anterior (não é preciso se você fez "
                    "a saída com o cartão My Number)",
                ),
                ["いいえ"],
            ),
            (
                texts(
                    "世帯全員のマイナンバーカード",
                    "いっしょに住んでいる家族全員のマイナンバーカード",
                    "The My Number Cards of everyone in the household",
                    "全体家庭成员的My Number卡",
                    "세대원 전원의 마이넘버 카드",
                    "Thẻ My Number của tất cả mọi người trong hộ gia đình",
                    "Os cartões My Number de todos os moradores da casa",
                ),
                ["はい"],
            ),
            PROOF_OF_IDENTITY,
        ],
    },
]

SHIFT_TIMES = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 15))]

CITIZENS = [
    ("山田 太郎", "ヤマダ タロウ"),
    ("佐々木 恵", "ササキ メグミ"),
    ("木村 拓也", "キムラ タクヤ"),
    ("林 美穂", "ハヤシ ミホ"),
    ("清水 誠", "シミズ マコト"),
    ("森 陽子", "モリ ヨウコ"),
    ("池田 翔", "イケダ ショウ"),
    ("橋本 真由美", "ハシモト マユミ"),
    ("石川 大樹", "イシカワ ダイキ"),
    ("前田 千尋", "マエダ チヒロ"),
    # Names as on a residence card in Latin script: no reading needed.
    ("Maria Silva", ""),
    ("NGUYEN VAN AN", ""),
]


# The demo questions and their answers in every citizen language (by their Japanese).
QUESTION_TEXTS = {
    "どなたが申請しますか": texts(
        "どなたが申請しますか",
        "だれが 申請しますか",
        "Who is applying?",
        "由谁申请？",
        "누가 신청합니까?",
        "Ai là người nộp đơn?",
        "Quem está fazendo o pedido?",
    ),
    "本人": texts(
        "本人", "自分", "I am (the applicant)", "本人", "본인", "Chính tôi", "Eu mesmo(a)"
    ),
    "代理人": texts(
        "代理人",
        "代理人（ほかの 人の かわり）",
        "A representative",
        "代理人",
        "대리인",
        "Người đại diện",
        "Um representante",
    ),
    "マイナンバーカードをお持ちですか": texts(
        "マイナンバーカードをお持ちですか",
        "マイナンバーカードを 持って いますか",
        "Do you have a My Number Card?",
        "您有My Number卡吗？",
        "마이넘버 카드를 가지고 계십니까?",
        "Bạn có thẻ My Number không?",
        "Você tem o cartão My Number?",
    ),
    "はい": texts("はい", "はい", "Yes", "有", "예", "Có", "Sim"),
    "いいえ": texts("いいえ", "いいえ", "No", "没有", "아니요", "Không", "Não"),
}
