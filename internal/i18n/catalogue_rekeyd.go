package i18n

// Keys of the operator's program, rekeyd: its commands, flags, results and
// errors. Their values start with "rekeyd." so that they never clash with
// the subscriber's.
const (
	DCmdRootShort        Key = "rekeyd.cmd.root.short"
	DCmdRootLong         Key = "rekeyd.cmd.root.long"
	DCmdInitShort        Key = "rekeyd.cmd.init.short"
	DCmdInitLong         Key = "rekeyd.cmd.init.long"
	DCmdServeShort       Key = "rekeyd.cmd.serve.short"
	DCmdServeLong        Key = "rekeyd.cmd.serve.long"
	DCmdEnrollShort      Key = "rekeyd.cmd.enroll.short"
	DCmdEnrollLong       Key = "rekeyd.cmd.enroll.long"
	DCmdRequestsShort    Key = "rekeyd.cmd.requests.short"
	DCmdRequestsLong     Key = "rekeyd.cmd.requests.long"
	DCmdApproveShort     Key = "rekeyd.cmd.approve.short"
	DCmdApproveLong      Key = "rekeyd.cmd.approve.long"
	DCmdRejectShort      Key = "rekeyd.cmd.reject.short"
	DCmdRejectLong       Key = "rekeyd.cmd.reject.long"
	DCmdRevokeShort      Key = "rekeyd.cmd.revoke.short"
	DCmdRevokeLong       Key = "rekeyd.cmd.revoke.long"
	DCmdCRLShort         Key = "rekeyd.cmd.crl.short"
	DCmdCRLLong          Key = "rekeyd.cmd.crl.long"
	DCmdSubscribersShort Key = "rekeyd.cmd.subscribers.short"
	DCmdSubscribersLong  Key = "rekeyd.cmd.subscribers.long"
	DCmdAuditShort       Key = "rekeyd.cmd.audit.short"
	DCmdAuditVerifyShort Key = "rekeyd.cmd.audit_verify.short"
	DCmdAuditVerifyLong  Key = "rekeyd.cmd.audit_verify.long"

	DFlagDir             Key = "rekeyd.flag.dir"
	DFlagCAPasswordFile  Key = "rekeyd.flag.ca_password_file"
	DFlagProfile         Key = "rekeyd.flag.profile"
	DFlagApproval        Key = "rekeyd.flag.approval"
	DFlagDB              Key = "rekeyd.flag.db"
	DFlagCAName          Key = "rekeyd.flag.ca_name"
	DFlagCAKey           Key = "rekeyd.flag.ca_key"
	DFlagURL             Key = "rekeyd.flag.url"
	DFlagListen          Key = "rekeyd.flag.listen"
	DFlagState           Key = "rekeyd.flag.state"
	DFlagOverdue         Key = "rekeyd.flag.overdue"
	DFlagRejectReason    Key = "rekeyd.flag.reject_reason"
	DFlagRevokeReason    Key = "rekeyd.flag.revoke_reason"
	DFlagCRLOut          Key = "rekeyd.flag.crl_out"
	DFlagExpiringWithin  Key = "rekeyd.flag.expiring_within"
	DFlagSubject         Key = "rekeyd.flag.subject"
	DFlagDays            Key = "rekeyd.flag.days"
	DFlagNotAfter        Key = "rekeyd.flag.not_after"
	DFlagCSR             Key = "rekeyd.flag.csr"
	DFlagCertOut         Key = "rekeyd.flag.cert_out"
	DFlagEnrollMedia     Key = "rekeyd.flag.enroll_media"
	DFlagKeyPasswordFile Key = "rekeyd.flag.key_password_file"
	DFlagSecretOut       Key = "rekeyd.flag.secret_out"

	DInitDone          Key = "rekeyd.init_done"
	DApproved          Key = "rekeyd.approved"
	DRejected          Key = "rekeyd.rejected"
	DRevoked           Key = "rekeyd.revoked"
	DCRLWritten        Key = "rekeyd.crl_written"
	DAuditOK           Key = "rekeyd.audit_ok"
	DEnrolledCSR       Key = "rekeyd.enrolled_csr"
	DEnrolledMedia     Key = "rekeyd.enrolled_media"
	DSecretIssued      Key = "rekeyd.secret_issued"
	DNoRequests        Key = "rekeyd.no_requests"
	DRequestsHeader    Key = "rekeyd.requests_header"
	DNoSubscribers     Key = "rekeyd.no_subscribers"
	DSubscribersHeader Key = "rekeyd.subscribers_header"

	DPromptPassword      Key = "rekeyd.prompt.password"
	DPromptPasswordAgain Key = "rekeyd.prompt.password_again"

	DErrNoDir                Key = "rekeyd.err.no_dir"
	DHintDir                 Key = "rekeyd.hint.dir"
	DErrBadNow               Key = "rekeyd.err.bad_now"
	DErrNoPassword           Key = "rekeyd.err.no_password"
	DHintPassword            Key = "rekeyd.hint.password"
	DErrPasswordMismatch     Key = "rekeyd.err.password_mismatch"
	DErrNotInitialized       Key = "rekeyd.err.not_initialized"
	DHintInit                Key = "rekeyd.hint.init"
	DErrCAKey                Key = "rekeyd.err.ca_key"
	DErrOpen                 Key = "rekeyd.err.open"
	DErrExists               Key = "rekeyd.err.exists"
	DHintExists              Key = "rekeyd.hint.exists"
	DErrInit                 Key = "rekeyd.err.init"
	DErrListen               Key = "rekeyd.err.listen"
	DHintListen              Key = "rekeyd.hint.listen"
	DErrNoReason             Key = "rekeyd.err.no_reason"
	DErrRevokeReason         Key = "rekeyd.err.revoke_reason"
	DErrSerial               Key = "rekeyd.err.serial"
	DErrNoCertificate        Key = "rekeyd.err.no_certificate"
	DErrNoOut                Key = "rekeyd.err.no_out"
	DErrWrite                Key = "rekeyd.err.write"
	DErrDuration             Key = "rekeyd.err.duration"
	DErrAuditBroken          Key = "rekeyd.err.audit_broken"
	DHintAuditBroken         Key = "rekeyd.hint.audit_broken"
	DErrNoSubject            Key = "rekeyd.err.no_subject"
	DErrEnrollMode           Key = "rekeyd.err.enroll_mode"
	DErrDaysAndNotAfter      Key = "rekeyd.err.days_and_not_after"
	DErrDays                 Key = "rekeyd.err.days"
	DErrOutWithoutCSR        Key = "rekeyd.err.out_without_csr"
	DErrPasswordWithoutMedia Key = "rekeyd.err.password_without_media"
	DErrSubject              Key = "rekeyd.err.subject"
	DHintSubject             Key = "rekeyd.hint.subject"
	DErrNoKeyPassword        Key = "rekeyd.err.no_key_password"
	DErrKeyCertified         Key = "rekeyd.err.key_certified"
	DErrEnroll               Key = "rekeyd.err.enroll"
	DErrCSRType              Key = "rekeyd.err.csr_type"
	DErrNotAfter             Key = "rekeyd.err.not_after"
	DErrRequestID            Key = "rekeyd.err.request_id"
	DErrState                Key = "rekeyd.err.state"
	DErrNoRequest            Key = "rekeyd.err.no_request"
	DErrRequestState         Key = "rekeyd.err.request_state"
	DHintRequests            Key = "rekeyd.hint.requests"
)

var rekeydCatalogue = map[Key]message{
	DCmdRootShort: {"оператор: удостоверяющий центр и удалённая замена ключей",
		"the operator: certification authority and remote key renewal"},
	DCmdRootLong: {"rekeyd — оператор: удостоверяющий центр, политика замены ключей (O1–O8), " +
		"очередь одобрения и сервер CMP для программы абонента rekey.",
		"rekeyd is the operator: the certification authority, the key renewal policy " +
			"(O1–O8), the approval queue and the CMP server for the subscriber's rekey."},
	DCmdInitShort: {"создать каталог оператора: настройки, ключ и сертификат УЦ, базу данных",
		"create the operator's directory: config, CA key and certificate, database"},
	DCmdInitLong: {"Создаёт каталог оператора: файл настроек rekeyd.json, ключ УЦ " +
		"(зашифрованный файл или ключ в HSM по адресу pkcs11:…), самоподписанный сертификат " +
		"ca.pem и базу данных (SQLite в каталоге или postgres://…). Пароль ключа берётся из " +
		"--ca-password-file, переменной REKEYD_CA_PASSWORD или запрашивается.",
		"Creates the operator's directory: the config file rekeyd.json, the CA key (an " +
			"encrypted file, or a key in an HSM named by a pkcs11:… URI), the self-signed " +
			"certificate ca.pem and the database (SQLite in the directory, or postgres://…). " +
			"The key's password comes from --ca-password-file, the variable " +
			"REKEYD_CA_PASSWORD, or a prompt."},
	DCmdServeShort: {"обслуживать абонентов по CMP через HTTP",
		"serve subscribers over CMP on HTTP"},
	DCmdServeLong: {"Обслуживает CMP (POST /.well-known/cmp), выдаёт сертификат УЦ (GET /ca.pem) " +
		"и список отозванных (GET /crl), метрики Prometheus (GET /metrics) и проверку " +
		"состояния (GET /healthz). Журнал — JSON в стандартный поток ошибок. SIGTERM или " +
		"SIGINT завершают работу после текущих запросов.",
		"Serves CMP (POST /.well-known/cmp), the CA certificate (GET /ca.pem), the CRL " +
			"(GET /crl), Prometheus metrics (GET /metrics) and a health check " +
			"(GET /healthz). Logs are JSON on standard error. SIGTERM or SIGINT stop it " +
			"after the requests in flight."},
	DCmdEnrollShort: {"первичная выдача сертификата в офисе",
		"first issuance of a certificate in the office"},
	DCmdEnrollLong: {"Регистрирует абонента по файлу реквизитов (JSON) и выдаёт сертификат: " +
		"на ключ запроса PKCS#10 (--csr), на новый ключ в контейнере на носителе (--media) " +
		"или выдаёт одноразовый пароль для первичного запроса ir (--secret-out).",
		"Registers the subscriber from the details file (JSON) and issues a certificate: " +
			"for the key of a PKCS#10 request (--csr), for a new key in a container on the " +
			"media (--media), or issues a one-time secret for a first ir request (--secret-out)."},
	DCmdRequestsShort: {"список запросов на замену ключа", "list the key renewal requests"},
	DCmdRequestsLong: {"Показывает запросы на замену ключа; --overdue — только ожидающие " +
		"дольше срока рассмотрения, --json — массив JSON.",
		"Lists the key renewal requests; --overdue shows only those waiting longer than " +
			"the SLA, --json prints a JSON array."},
	DCmdApproveShort: {"одобрить запросы", "approve requests"},
	DCmdApproveLong: {"Одобряет ожидающие запросы; сертификат выдаётся при следующем " +
		"сеансе связи абонента. Ключ УЦ не нужен.",
		"Approves waiting requests; the certificate is issued at the subscriber's next " +
			"exchange. The CA key is not needed."},
	DCmdRejectShort: {"отклонить запрос", "reject a request"},
	DCmdRejectLong: {"Отклоняет запрос; абонент увидит причину при следующем сеансе связи.",
		"Rejects a request; the subscriber reads the reason at the next exchange."},
	DCmdRevokeShort: {"отозвать сертификат", "revoke a certificate"},
	DCmdRevokeLong: {"Отзывает сертификат по серийному номеру (шестнадцатеричному); он попадёт " +
		"в следующий список отозванных сертификатов.",
		"Revokes a certificate by its serial number (hex); the next CRL lists it."},
	DCmdCRLShort: {"выпустить список отозванных сертификатов", "issue a CRL"},
	DCmdCRLLong: {"Подписывает новый список отозванных сертификатов (DER) и записывает его в файл.",
		"Signs a new certificate revocation list (DER) and writes it to a file."},
	DCmdSubscribersShort: {"список абонентов", "list the subscribers"},
	DCmdSubscribersLong: {"Показывает абонентов и срок их ключей; --expiring-within 30d — " +
		"только с ключами, истекающими в этот срок.",
		"Lists the subscribers and their keys' last days; --expiring-within 30d shows " +
			"only those whose keys end within that time."},
	DCmdAuditShort: {"журнал аудита", "the audit trail"},
	DCmdAuditVerifyShort: {"проверить целостность журнала аудита",
		"verify the audit trail's hash chain"},
	DCmdAuditVerifyLong: {"Проверяет цепочку хешей журнала аудита; при нарушении завершается " +
		"с ошибкой и называет запись.",
		"Checks the audit trail's hash chain; on a break it fails and names the record."},

	DFlagDir:            {"каталог оператора (или REKEYD_DIR)", "the operator's directory (or REKEYD_DIR)"},
	DFlagCAPasswordFile: {"файл с паролем ключа УЦ или PIN-кодом HSM", "file with the CA key's password or the HSM's PIN"},
	DFlagProfile:        {"профиль алгоритмов УЦ: gost2012-256, gost2012-512 или ecdsa-p256", "the CA's algorithm profile: gost2012-256, gost2012-512 or ecdsa-p256"},
	DFlagApproval:       {"одобрение замены: manual (оператором) или auto", "renewal approval: manual (by an operator) or auto"},
	DFlagDB:             {"база данных: sqlite:ФАЙЛ или postgres://…", "the database: sqlite:FILE or postgres://…"},
	DFlagCAName:         {"имя УЦ (CN сертификата)", "the CA's name (certificate CN)"},
	DFlagCAKey:          {"ключ УЦ в HSM: pkcs11:token=…;object=…", "the CA key in an HSM: pkcs11:token=…;object=…"},
	DFlagURL:            {"адрес CMP для абонентов", "the CMP address for subscribers"},
	DFlagListen:         {"адрес для приёма соединений, например 127.0.0.1:8080", "the address to listen on, e.g. 127.0.0.1:8080"},
	DFlagState:          {"только запросы в этом состоянии", "only requests in this state"},
	DFlagOverdue:        {"только просроченные запросы", "only overdue requests"},
	DFlagRejectReason:   {"причина отказа для абонента", "the reason the subscriber reads"},
	DFlagRevokeReason:   {"причина отзыва", "the revocation reason"},
	DFlagCRLOut:         {"файл для списка отозванных (DER)", "the CRL file to write (DER)"},
	DFlagExpiringWithin: {"только ключи, истекающие в этот срок (например 30d)", "only keys ending within this time (e.g. 30d)"},
	DFlagSubject:        {"файл реквизитов владельца (JSON)", "the holder's details file (JSON)"},
	DFlagDays:           {"срок действия сертификата в днях", "the certificate's validity in days"},
	DFlagNotAfter:       {"окончание действия сертификата (ГГГГ-ММ-ДД или RFC 3339)", "the certificate's end (YYYY-MM-DD or RFC 3339)"},
	DFlagCSR:            {"запрос на сертификат PKCS#10 (PEM или DER)", "the PKCS#10 request (PEM or DER)"},
	DFlagCertOut:        {"файл для сертификата (иначе стандартный вывод)", "the certificate file (else standard output)"},
	DFlagEnrollMedia:    {"носитель, на котором создать контейнер ключа абонента", "the media to create the subscriber's key container on"},
	DFlagKeyPasswordFile: {"файл с паролем нового ключа абонента",
		"file with the password of the subscriber's new key"},
	DFlagSecretOut: {"выдать одноразовый пароль для запроса ir и записать его в файл",
		"issue a one-time secret for an ir request and write it to this file"},

	DInitDone: {"Каталог оператора %s создан: профиль %s, одобрение %s, сертификат УЦ %s",
		"Operator directory %s created: profile %s, approval %s, CA certificate %s"},
	DApproved:   {"Запрос %d одобрен", "Request %d approved"},
	DRejected:   {"Запрос %d отклонён", "Request %d rejected"},
	DRevoked:    {"Сертификат %s отозван (%s)", "Certificate %s revoked (%s)"},
	DCRLWritten: {"Список отозванных сертификатов записан в %s", "CRL written to %s"},
	DAuditOK:    {"Журнал аудита цел: записей %d", "The audit trail is intact: %d records"},
	DEnrolledCSR: {"Абонент %d: выдан сертификат %s, записан в %s",
		"Subscriber %d: certificate %s issued, written to %s"},
	DEnrolledMedia: {"Абонент %d: выдан сертификат %s, контейнер ключа %s",
		"Subscriber %d: certificate %s issued, key container %s"},
	DSecretIssued: {"Одноразовый пароль выдан: ссылка %s, записан в %s, действует до %s",
		"One-time secret issued: reference %s, written to %s, valid until %s"},
	DNoRequests:        {"Запросов нет", "No requests"},
	DRequestsHeader:    {"НОМЕР\tСОСТОЯНИЕ\tАБОНЕНТ\tПОЛУЧЕН\tОЖИДАЕТ", "ID\tSTATE\tSUBSCRIBER\tRECEIVED\tAGE"},
	DNoSubscribers:     {"Абонентов нет", "No subscribers"},
	DSubscribersHeader: {"НОМЕР\tИМЯ\tСОСТОЯНИЕ\tСЕРТИФИКАТ\tКЛЮЧ ДО\tДНЕЙ", "ID\tNAME\tSTATUS\tCERTIFICATE\tKEY UNTIL\tDAYS"},

	DPromptPassword:      {"Пароль ключа УЦ (или PIN-код HSM): ", "CA key password (or HSM PIN): "},
	DPromptPasswordAgain: {"Повторите пароль: ", "Repeat the password: "},

	DErrNoDir: {"не указан каталог оператора", "no operator directory given"},
	DHintDir:  {"укажите --dir КАТАЛОГ или переменную REKEYD_DIR", "give --dir DIR or set REKEYD_DIR"},
	DErrBadNow: {"REKEYD_NOW=%q: ожидается время RFC 3339 (только для тестов)",
		"REKEYD_NOW=%q: want an RFC 3339 time (for tests only)"},
	DErrNoPassword: {"нужен пароль ключа УЦ, а терминала нет",
		"the CA key's password is needed and there is no terminal"},
	DHintPassword: {"укажите --ca-password-file ФАЙЛ или переменную REKEYD_CA_PASSWORD",
		"give --ca-password-file FILE or set REKEYD_CA_PASSWORD"},
	DErrPasswordMismatch: {"пароли не совпадают", "the passwords differ"},
	DErrNotInitialized:   {"%s — не каталог оператора", "%s is not an operator directory"},
	DHintInit:            {"создайте его: rekeyd init --dir %s", "create it with rekeyd init --dir %s"},
	DErrCAKey:            {"не удалось открыть ключ УЦ: %s", "cannot open the CA key: %s"},
	DErrOpen:             {"не удалось открыть каталог оператора %s: %s", "cannot open the operator directory %s: %s"},
	DErrExists:           {"в %s уже есть оператор", "%s already holds an operator"},
	DHintExists: {"выберите другой каталог; существующий не перезаписывается",
		"choose another directory; an existing one is never overwritten"},
	DErrInit:   {"не удалось создать оператора: %s", "cannot create the operator: %s"},
	DErrListen: {"не удалось открыть %s: %s", "cannot listen on %s: %s"},
	DHintListen: {"проверьте, не занят ли адрес, или укажите другой в --listen",
		"check that the address is free, or give another with --listen"},
	DErrNoReason: {"укажите причину отказа: --reason ТЕКСТ", "give the reason: --reason TEXT"},
	DErrRevokeReason: {"причина отзыва %q неизвестна: допустимы keyCompromise, " +
		"affiliationChanged, superseded, cessationOfOperation",
		"unknown revocation reason %q: use keyCompromise, affiliationChanged, superseded " +
			"or cessationOfOperation"},
	DErrSerial:        {"%q — не серийный номер (шестнадцатеричный)", "%q is not a serial number (hex)"},
	DErrNoCertificate: {"сертификата %s нет в реестре УЦ", "certificate %s is not in the CA's register"},
	DErrNoOut:         {"укажите файл: --out ФАЙЛ", "give the file: --out FILE"},
	DErrWrite:         {"не удалось записать %s: %s", "cannot write %s: %s"},
	DErrDuration:      {"%q — не срок (например 30d или 72h)", "%q is not a duration (e.g. 30d or 72h)"},
	DErrAuditBroken:   {"журнал аудита нарушен: %s", "the audit trail is broken: %s"},
	DHintAuditBroken: {"сохраните базу данных для расследования и сообщите ответственному за безопасность",
		"keep the database for investigation and tell the security officer"},
	DErrNoSubject: {"укажите файл реквизитов: --subject ФАЙЛ.json",
		"give the details file: --subject FILE.json"},
	DErrEnrollMode: {"укажите ровно одно из --csr, --media, --secret-out",
		"give exactly one of --csr, --media, --secret-out"},
	DErrDaysAndNotAfter: {"--days и --not-after несовместимы", "--days and --not-after exclude each other"},
	DErrDays:            {"--days %d: срок должен быть положительным", "--days %d: must be positive"},
	DErrOutWithoutCSR:   {"--out используется только с --csr", "--out goes with --csr only"},
	DErrPasswordWithoutMedia: {"--password-file используется только с --media",
		"--password-file goes with --media only"},
	DErrSubject: {"реквизиты в %s неверны: %s", "the details in %s are wrong: %s"},
	DHintSubject: {"исправьте названное поле; ключи файла: C, ST, L, street, O, OU, title, CN, " +
		"surname, givenName, emailAddress, INN, INNLE, OGRN, OGRNIP, SNILS",
		"fix the field named; the file's keys are C, ST, L, street, O, OU, title, CN, " +
			"surname, givenName, emailAddress, INN, INNLE, OGRN, OGRNIP, SNILS"},
	DErrNoKeyPassword: {"для ключа на носителе нужен пароль: --password-file ФАЙЛ",
		"a key on media needs a password: --password-file FILE"},
	DErrKeyCertified: {"этот ключ уже был сертифицирован: нужен новый ключ",
		"this key was certified before: a new key is needed"},
	DErrEnroll:  {"выдача не удалась: %s", "the issuance failed: %s"},
	DErrCSRType: {"%s содержит блок %q, а не запрос на сертификат", "%s holds a %q block, not a certificate request"},
	DErrNotAfter: {"%q — не дата (ГГГГ-ММ-ДД или RFC 3339)",
		"%q is not a date (YYYY-MM-DD or RFC 3339)"},
	DErrRequestID:    {"%q — не номер запроса", "%q is not a request ID"},
	DErrState:        {"состояние %q неизвестно; допустимы: %s", "unknown state %q; use one of: %s"},
	DErrNoRequest:    {"запроса %d нет", "there is no request %d"},
	DErrRequestState: {"запрос %d уже не ожидает решения", "request %d no longer awaits a decision"},
	DHintRequests:    {"посмотрите список: rekeyd requests", "see the list: rekeyd requests"},
}

// init adds rekeydCatalogue to catalogue; the "rekeyd." prefix of the keys
// keeps them apart from everyone else's.
func init() {
	for k, m := range rekeydCatalogue {
		if _, dup := catalogue[k]; !dup {
			catalogue[k] = m
		}
	}
}
