package cmp

import (
	"strings"
)

// The free text of a refusal is for the subscriber, in Russian and in
// English. rekey's convention for PKIFreeText (RFC 9810 §5.1.1, a SEQUENCE
// OF UTF8String) is two strings, Russian first, each opening with its
// language tag and a colon:
//
//	"ru: запрос не разобран: это не сообщение CMP в DER"
//	"en: the request cannot be read: it is not a DER CMP message"
//
// A reader that knows the convention picks its language with
// FreeTextIn; one that does not (such as "openssl cmp") shows both lines.
// The texts never carry internal detail: that goes to the server's log.

// Language tags of the free text convention.
const (
	LangRU = "ru"
	LangEN = "en"
)

// FreeText returns the PKIFreeText of a Russian and an English text in
// rekey's convention.
func FreeText(ru, en string) []string {
	return []string{LangRU + ": " + ru, LangEN + ": " + en}
}

// FreeTextIn returns the text of lang ("ru" or "en") from a PKIFreeText in
// rekey's convention; for text that does not follow it, all strings joined
// by "; ". It returns "" for no text.
func FreeTextIn(texts []string, lang string) string {
	prefix := lang + ": "
	for _, s := range texts {
		if strings.HasPrefix(s, prefix) {
			return strings.TrimPrefix(s, prefix)
		}
	}
	for _, s := range texts {
		if strings.HasPrefix(s, LangRU+": ") || strings.HasPrefix(s, LangEN+": ") {
			return s[len(LangRU)+2:] // the other language: better than nothing
		}
	}
	return strings.Join(texts, "; ")
}

// refusalText is the pair of texts sent for a failure category.
type refusalText struct{ ru, en string }

// refusalTexts holds the standard text of every failure bit the server
// sends. A bit without an entry falls back to systemFailure's text.
var refusalTexts = map[FailureInfo]refusalText{
	FailBadAlg: {"алгоритм защиты или подписи не поддерживается удостоверяющим центром",
		"the protection or signature algorithm is not supported by the certification authority"},
	FailBadMessageCheck: {"защита сообщения не прошла проверку",
		"the protection of the message does not verify"},
	FailBadRequest: {"запрос не допустим в этом состоянии или не поддерживается",
		"the request is not allowed in this state or is not supported"},
	FailBadTime: {"время сообщения вне допустимого окна: проверьте часы компьютера",
		"the message time is outside the accepted window: check the computer's clock"},
	FailBadCertID: {"сертификат не найден или не совпадает с выданным",
		"the certificate is unknown or differs from the one issued"},
	FailBadDataFormat: {"запрос не разобран: это не сообщение CMP в DER",
		"the request cannot be read: it is not a DER CMP message"},
	FailWrongAuthority: {"запрос адресован другому удостоверяющему центру",
		"the request is addressed to another certification authority"},
	FailIncorrectData: {"данные запроса неверны", "the request data are incorrect"},
	FailBadPOP: {"подтверждение владения новым ключом не прошло проверку",
		"the proof of possession of the new key does not verify"},
	FailCertRevoked: {"сертификат, которым защищён запрос, отозван",
		"the certificate protecting the request is revoked"},
	FailCertConfirmed: {"сертификат уже подтверждён", "the certificate is already confirmed"},
	FailWrongIntegrity: {"этот запрос должен быть защищён иначе (подписью или одноразовым паролем)",
		"this request needs another kind of protection (a signature or the one-time secret)"},
	FailBadRecipientNonce: {"ответ на неизвестное сообщение: начните обмен заново",
		"a reply to an unknown message: start the exchange again"},
	FailBadSenderNonce: {"сообщение уже было получено (повтор)",
		"the message was received before (a replay)"},
	FailBadCertTemplate: {"запрошенный сертификат не соответствует правилам удостоверяющего центра",
		"the requested certificate does not meet the certification authority's rules"},
	FailSignerNotTrusted: {"сертификат, которым защищён запрос, не выдан этим удостоверяющим центром или недействителен",
		"the certificate protecting the request is not valid or not issued by this certification authority"},
	FailTransactionIDInUse: {"идентификатор транзакции уже использован",
		"the transaction identifier is already in use"},
	FailUnsupportedVersion: {"версия протокола CMP не поддерживается",
		"the CMP protocol version is not supported"},
	FailNotAuthorized: {"запрос не разрешён для этого абонента",
		"the request is not permitted for this subscriber"},
	FailSystemUnavail: {"удостоверяющий центр временно недоступен: повторите позже",
		"the certification authority is unavailable for now: try again later"},
	FailSystemFailure: {"внутренняя ошибка удостоверяющего центра: повторите позже или обратитесь к оператору",
		"an internal error of the certification authority: try again later or contact the operator"},
	FailDuplicateCertReq: {"такой запрос уже получен", "the same request was received before"},
}

// standardFreeText returns the free text of the first bit of f that has a
// text.
func standardFreeText(f FailureInfo) []string {
	for bit := FailureInfo(1); bit != 0 && bit <= f; bit <<= 1 {
		if f&bit != 0 {
			if t, ok := refusalTexts[bit]; ok {
				return FreeText(t.ru, t.en)
			}
		}
	}
	t := refusalTexts[FailSystemFailure]
	return FreeText(t.ru, t.en)
}
