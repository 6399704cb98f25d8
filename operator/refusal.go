package operator

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"rekey/cmp"
	"rekey/pki"
)

// Reason names why the renewal policy refused a request. Callers, tests
// and metrics branch on it, never on the text.
type Reason int

// The refusal reasons, in the order the policy checks them.
const (
	ReasonNoCertificate      Reason = iota + 1 // no current certificate given
	ReasonOtherCA                              // current certificate not issued by this CA
	ReasonUnknownCertificate                   // issued by this CA's key but not in its records
	ReasonRevoked                              // current certificate revoked
	ReasonNotYetValid                          // current certificate not valid yet
	ReasonExpired                              // current certificate or its key expired
	ReasonLastDay                              // the key's last day: in-office only (S5)
	ReasonRateLimited                          // too many requests today
	ReasonBadSubject                           // requested subject unreadable
	ReasonSubjectChanged                       // requested subject differs (O2)
	ReasonBadPOP                               // proof of possession missing or wrong
	ReasonNoPublicKey                          // template without a usable public key
	ReasonKeyAlgorithm                         // key type or parameters not allowed
	ReasonSameKey                              // new key is the current key
	ReasonKeyReused                            // new key was certified before

	ReasonTransactionInUse // a transaction ID reused for another request
	ReasonRejected         // an operator rejected the request
	ReasonRequestExpired   // the request was not decided in time
)

var reasonNames = map[Reason]string{
	ReasonNoCertificate: "no-certificate", ReasonOtherCA: "other-ca",
	ReasonUnknownCertificate: "unknown-certificate", ReasonRevoked: "revoked",
	ReasonNotYetValid: "not-yet-valid", ReasonExpired: "expired", ReasonLastDay: "last-day",
	ReasonRateLimited: "rate-limited", ReasonBadSubject: "bad-subject",
	ReasonSubjectChanged: "subject-changed", ReasonBadPOP: "bad-pop",
	ReasonNoPublicKey: "no-public-key", ReasonKeyAlgorithm: "key-algorithm",
	ReasonSameKey: "same-key", ReasonKeyReused: "key-reused",
	ReasonTransactionInUse: "transaction-in-use", ReasonRejected: "rejected",
	ReasonRequestExpired: "request-expired",
}

// String returns a short name for logs and metric labels, such as
// "last-day".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return "unknown"
}

// Refusal is a decision of the renewal policy not to accept a request: a
// reason, the PKIFailureInfo bit the subscriber gets, and texts in Russian
// and English that say what to do. The texts hold no internal detail.
//
// A *Refusal is an error. errors.As finds a *cmp.Refusal in it too, so a
// CMP server answers it with its own failure bit and texts.
type Refusal struct {
	Reason  Reason
	Failure cmp.FailureInfo
	RU, EN  string
}

func (r *Refusal) Error() string {
	return "operator: refused (" + r.Reason.String() + "): " + r.EN
}

// CMP returns the refusal as the cmp package answers it.
func (r *Refusal) CMP() *cmp.Refusal { return cmp.Refuse(r.Failure, r.RU, r.EN) }

// As lets errors.As convert a *Refusal into a *cmp.Refusal.
func (r *Refusal) As(target any) bool {
	if t, ok := target.(**cmp.Refusal); ok {
		*t = r.CMP()
		return true
	}
	return false
}

// IsRefusal returns the refusal in err's chain, or nil.
func IsRefusal(err error) *Refusal {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// texts builds the refusals; it knows the office and the time zone.
type texts struct {
	office OfficeContact
	loc    *time.Location
}

func (t texts) refuse(reason Reason, f cmp.FailureInfo, ru, en string) *Refusal {
	return &Refusal{Reason: reason, Failure: f, RU: ru, EN: en}
}

// inOffice is a refusal that sends the subscriber to the office.
func (t texts) inOffice(reason Reason, f cmp.FailureInfo, ru, en string) *Refusal {
	return t.refuse(reason, f,
		ru+" Замена ключа возможна только в офисе: "+t.office.RU+".",
		en+" The key can only be replaced in the office: "+t.office.EN+".")
}

func (t texts) dayRU(at time.Time) string { return at.In(t.loc).Format("02.01.2006") }
func (t texts) dayEN(at time.Time) string { return at.In(t.loc).Format("2 January 2006") }

func (t texts) noCertificate() *Refusal {
	return t.refuse(ReasonNoCertificate, cmp.FailBadRequest,
		"Запрос на замену ключа должен быть подписан действующим ключом абонента.",
		"A key replacement request must be signed with the subscriber's current key.")
}

func (t texts) otherCA() *Refusal {
	return t.inOffice(ReasonOtherCA, cmp.FailSignerNotTrusted,
		"Запрос подписан ключом, сертификат которого выдан другим удостоверяющим центром.",
		"The request is signed with a key whose certificate was issued by another "+
			"certification authority.")
}

func (t texts) unknownCertificate() *Refusal {
	return t.inOffice(ReasonUnknownCertificate, cmp.FailSignerNotTrusted,
		"Сертификат, которым подписан запрос, не найден в реестре удостоверяющего центра.",
		"The certificate that signed the request is not in the certification authority's register.")
}

func (t texts) revoked() *Refusal {
	return t.inOffice(ReasonRevoked, cmp.FailCertRevoked,
		"Сертификат, которым подписан запрос, отозван.",
		"The certificate that signed the request is revoked.")
}

func (t texts) notYetValid(from time.Time) *Refusal {
	return t.refuse(ReasonNotYetValid, cmp.FailSignerNotTrusted,
		"Сертификат, которым подписан запрос, начинает действовать только "+t.dayRU(from)+
			". Проверьте часы компьютера.",
		"The certificate that signed the request is valid only from "+t.dayEN(from)+
			". Check the computer's clock.")
}

func (t texts) expired(at time.Time) *Refusal {
	return t.inOffice(ReasonExpired, cmp.FailSignerNotTrusted,
		"Срок действия ключа, которым подписан запрос, истёк "+t.dayRU(at)+".",
		"The key that signed the request expired on "+t.dayEN(at)+".")
}

func (t texts) lastDay(at time.Time) *Refusal {
	return t.inOffice(ReasonLastDay, cmp.FailNotAuthorized,
		"Сегодня, "+t.dayRU(at)+", последний день действия ключа: "+
			"удалённая замена в этот день невозможна.",
		"Today, "+t.dayEN(at)+", is the key's last day: "+
			"it cannot be replaced remotely on that day.")
}

func (t texts) rateLimited(limit int) *Refusal {
	n := strconv.Itoa(limit)
	return t.refuse(ReasonRateLimited, cmp.FailNotAuthorized,
		"Превышено число запросов на замену ключа за сутки ("+n+"). Повторите завтра.",
		"Too many key replacement requests today (the limit is "+n+"). Try again tomorrow.")
}

func (t texts) badSubject() *Refusal {
	return t.refuse(ReasonBadSubject, cmp.FailBadCertTemplate,
		"Данные владельца в запросе не удалось прочитать.",
		"The holder's details in the request cannot be read.")
}

func (t texts) subjectChanged() *Refusal {
	return t.inOffice(ReasonSubjectChanged, cmp.FailBadCertTemplate,
		"Данные владельца в запросе отличаются от данных действующего сертификата. "+
			"При изменении реквизитов (ИНН, ОГРН, СНИЛС, ФИО, должность, адрес) "+
			"новый сертификат выдаётся при личном визите.",
		"The holder's details in the request differ from those of the current certificate. "+
			"When the details (INN, OGRN, SNILS, name, title, address) change, "+
			"a new certificate is issued in person.")
}

func (t texts) badPOP() *Refusal {
	return t.refuse(ReasonBadPOP, cmp.FailBadPOP,
		"Не подтверждено владение новым закрытым ключом: сформируйте запрос заново.",
		"Possession of the new private key is not proven: create the request again.")
}

func (t texts) noPublicKey() *Refusal {
	return t.refuse(ReasonNoPublicKey, cmp.FailBadCertTemplate,
		"В запросе нет открытого ключа, который можно сертифицировать.",
		"The request carries no public key that can be certified.")
}

func (t texts) keyAlgorithm(allowed string) *Refusal {
	return t.refuse(ReasonKeyAlgorithm, cmp.FailBadAlg,
		"Тип или параметры нового ключа не допускаются удостоверяющим центром; допустимы: "+
			allowed+". Сформируйте новый ключ заново.",
		"The new key's type or parameters are not accepted by the certification authority; "+
			"accepted: "+allowed+". Generate the new key again.")
}

func (t texts) sameKey() *Refusal {
	return t.refuse(ReasonSameKey, cmp.FailBadCertTemplate,
		"Новый ключ совпадает с действующим: для замены нужен новый ключ.",
		"The new key is the current key: a replacement needs a new key.")
}

func (t texts) keyReused() *Refusal {
	return t.refuse(ReasonKeyReused, cmp.FailBadCertTemplate,
		"Этот ключ уже был сертифицирован ранее: для замены нужен новый ключ.",
		"This key was certified before: a replacement needs a new key.")
}

func (t texts) transactionInUse() *Refusal {
	return t.refuse(ReasonTransactionInUse, cmp.FailTransactionIDInUse,
		"Идентификатор транзакции уже использован другим запросом: сформируйте запрос заново.",
		"The transaction identifier is already used by another request: create the request again.")
}

// rejected quotes the operator's reason, which is written for the
// subscriber, in both texts.
func (t texts) rejected(reason string) *Refusal {
	if reason == "" {
		reason = "—"
	}
	return t.inOffice(ReasonRejected, cmp.FailNotAuthorized,
		"Запрос на замену ключа отклонён оператором: "+reason+".",
		"The key replacement request was rejected by the operator: "+reason+".")
}

func (t texts) requestExpired() *Refusal {
	return t.refuse(ReasonRequestExpired, cmp.FailNotAuthorized,
		"Запрос на замену ключа не был рассмотрен вовремя: сформируйте запрос заново.",
		"The key replacement request was not decided in time: create the request again.")
}

// SignerRefusal words the refusal of the certificate that protects a
// request when the CMP layer refuses it before the policy runs: revoked,
// or not verifying up to this CA at the time (cause is the verification
// error, a *pki.VerifyError). The subscriber reads what happened and
// that only the office can help; the CMP layer keeps its failure bits.
func (p *Policy) SignerRefusal(revoked bool, signer *pki.Certificate, cause error) *Refusal {
	if revoked {
		return p.texts.revoked()
	}
	var ve *pki.VerifyError
	if signer != nil && errors.As(cause, &ve) && ve.Cert != nil &&
		bytes.Equal(ve.Cert.Raw, signer.Raw) {
		switch ve.Reason {
		case pki.Expired:
			return p.texts.expired(signer.KeyExpires())
		case pki.NotYetValid:
			return p.texts.notYetValid(signer.NotBefore)
		}
	}
	return p.texts.otherCA()
}
