package i18n

// Keys of the command line shared by rekey and rekeyd (package cli).
const (
	ErrBadLang        Key = "err.bad_lang"
	HintHelp          Key = "hint.help"
	ErrArgs           Key = "err.args"
	ErrReadFile       Key = "err.read_file"
	HintCheckPath     Key = "hint.check_path"
	ErrReadPassword   Key = "err.read_password"
	HintPasswordFile  Key = "hint.password_file"
	ErrEmptyPassword  Key = "err.empty_password"
	ReasonNotExist    Key = "reason.not_exist"
	ReasonPermission  Key = "reason.permission"
	ReasonIsDir       Key = "reason.is_dir"
	CmdRekeyShort     Key = "cmd.rekey.short"
	CmdRekeyLong      Key = "cmd.rekey.long"
	FlagLang          Key = "flag.lang"
	FlagJSON          Key = "flag.json"
	FlagHelp          Key = "flag.help"
	CmdHelpShort      Key = "cmd.help.short"
	CmdHelpLong       Key = "cmd.help.long"
	UsageTemplateHead Key = "usage.head"
	UsageAliases      Key = "usage.aliases"
	UsageExamples     Key = "usage.examples"
	UsageCommands     Key = "usage.commands"
	UsageFlags        Key = "usage.flags"
	UsageGlobalFlags  Key = "usage.global_flags"
	UsageMore         Key = "usage.more"
)

// Keys of rekey inspect.
const (
	CmdInspectShort    Key = "cmd.inspect.short"
	CmdInspectLong     Key = "cmd.inspect.long"
	CmdInspectExample  Key = "cmd.inspect.example"
	FlagIssuer         Key = "flag.issuer"
	FlagPasswordFile   Key = "flag.password_file"
	ErrUnknownFormat   Key = "err.unknown_format"
	HintUnknownFormat  Key = "hint.unknown_format"
	ErrIssuerFile      Key = "err.issuer_file"
	HintIssuerFile     Key = "hint.issuer_file"
	HintLegacy         Key = "hint.legacy"
	HintWrongPassword  Key = "hint.wrong_password"
	HintIssuerMismatch Key = "hint.issuer_mismatch"
	HintUnsupported    Key = "hint.unsupported"

	InspectObjectOf             Key = "inspect.object_of"
	InspectObjectN              Key = "inspect.object_n"
	InspectUnknownBlock         Key = "inspect.unknown_block"
	InspectLegacyPEMEncryption  Key = "inspect.legacy_pem_encryption"
	InspectMalformed            Key = "inspect.malformed"
	InspectIssuerMismatch       Key = "inspect.issuer_mismatch"
	InspectSignatureLegacy      Key = "inspect.signature_legacy"
	InspectSignatureUnsupported Key = "inspect.signature_unsupported"
	InspectSignatureInvalid     Key = "inspect.signature_invalid"
	InspectKeyNotUsable         Key = "inspect.key_not_usable"
	InspectKeyUnencrypted       Key = "inspect.key_unencrypted"
	InspectNotDecrypted         Key = "inspect.not_decrypted"
	InspectWrongPassword        Key = "inspect.wrong_password"
	InspectDecryptFailed        Key = "inspect.decrypt_failed"
	InspectPKIMessageNotDecoded Key = "inspect.pkimessage_not_decoded"
	InspectCMSNotVerified       Key = "inspect.cms_not_verified"
	InspectCMSSignerNotFound    Key = "inspect.cms_signer_not_found"
	InspectEmptyName            Key = "inspect.empty_name"
	InspectCertNotYetValid      Key = "inspect.cert_not_yet_valid"
	InspectCertExpired          Key = "inspect.cert_expired"
	InspectCertExpiresIn        Key = "inspect.cert_expires_in"
	InspectKeyExpired           Key = "inspect.key_expired"
	InspectKeyExpiresIn         Key = "inspect.key_expires_in"
	InspectCRLOutdated          Key = "inspect.crl_outdated"
	InspectBits                 Key = "inspect.bits"
	InspectCurve                Key = "inspect.curve"
	InspectSignatureNotChecked  Key = "inspect.signature_not_checked"
	InspectSignatureValid       Key = "inspect.signature_valid"
	InspectSignatureNotValid    Key = "inspect.signature_not_valid"
	InspectCheckedRequest       Key = "inspect.checked_request"
	InspectCheckedSelf          Key = "inspect.checked_self"
	InspectCheckedIssuer        Key = "inspect.checked_issuer"
	InspectCheckedObject        Key = "inspect.checked_object"
	InspectCritical             Key = "inspect.critical"
	InspectCA                   Key = "inspect.ca"
	InspectNotCA                Key = "inspect.not_ca"
	InspectPathLen              Key = "inspect.path_len"
	InspectIterations           Key = "inspect.iterations"
	InspectSaltBytes            Key = "inspect.salt_bytes"
	InspectPKCS12MACDesc        Key = "inspect.pkcs12_mac_desc"
	InspectNone                 Key = "inspect.none"
	InspectSafeEncrypted        Key = "inspect.safe_encrypted"
	InspectSafePlain            Key = "inspect.safe_plain"
	InspectYes                  Key = "inspect.yes"
	InspectNo                   Key = "inspect.no"
	InspectEncryptedWith        Key = "inspect.encrypted_with"
	InspectFriendlyName         Key = "inspect.friendly_name"
	InspectCertLine             Key = "inspect.cert_line"
	InspectCMSType              Key = "inspect.cms_type"
	InspectDetached             Key = "inspect.detached"
	InspectIssuerSerial         Key = "inspect.issuer_serial"
	InspectKeyIDIs              Key = "inspect.key_id_is"

	LabelSubject               Key = "label.subject"
	LabelIssuer                Key = "label.issuer"
	LabelSerial                Key = "label.serial"
	LabelNotBefore             Key = "label.not_before"
	LabelNotAfter              Key = "label.not_after"
	LabelKeyExpires            Key = "label.key_expires"
	LabelCRLNumber             Key = "label.crl_number"
	LabelThisUpdate            Key = "label.this_update"
	LabelNextUpdate            Key = "label.next_update"
	LabelRevoked               Key = "label.revoked"
	LabelPublicKey             Key = "label.public_key"
	LabelPrivateKey            Key = "label.private_key"
	LabelKeyID                 Key = "label.key_id"
	LabelMatchesCertificate    Key = "label.matches_certificate"
	LabelKeyMatchesFirstCert   Key = "label.key_matches_first_cert"
	LabelSignatureAlgorithm    Key = "label.signature_algorithm"
	LabelEncryption            Key = "label.encryption"
	LabelNote                  Key = "label.note"
	LabelProblem               Key = "label.problem"
	LabelExtensions            Key = "label.extensions"
	LabelBasicConstraints      Key = "label.basic_constraints"
	LabelKeyUsage              Key = "label.key_usage"
	LabelExtKeyUsage           Key = "label.ext_key_usage"
	LabelSubjectKeyID          Key = "label.subject_key_id"
	LabelAuthorityKeyID        Key = "label.authority_key_id"
	LabelPolicies              Key = "label.policies"
	LabelCRLDP                 Key = "label.crl_dp"
	LabelPrivateKeyUsagePeriod Key = "label.private_key_usage_period"
	LabelSubjectSignTool       Key = "label.subject_sign_tool"
	LabelIssuerSignTool        Key = "label.issuer_sign_tool"
	LabelSignTool              Key = "label.sign_tool"
	LabelCATool                Key = "label.ca_tool"
	LabelSignToolCert          Key = "label.sign_tool_cert"
	LabelCAToolCert            Key = "label.ca_tool_cert"
	LabelOtherExtensions       Key = "label.other_extensions"
	LabelPKCS12MAC             Key = "label.pkcs12_mac"
	LabelPKCS12Safe            Key = "label.pkcs12_safe"
	LabelCertificates          Key = "label.certificates"
	LabelContentType           Key = "label.content_type"
	LabelVersion               Key = "label.version"
	LabelEncapsulated          Key = "label.encapsulated"
	LabelDigestAlgorithms      Key = "label.digest_algorithms"
	LabelDigestAlgorithm       Key = "label.digest_algorithm"
	LabelCRLs                  Key = "label.crls"
	LabelSigners               Key = "label.signers"
	LabelSignedAttributes      Key = "label.signed_attributes"
	LabelRecipients            Key = "label.recipients"
	LabelKeyEncryption         Key = "label.key_encryption"
	LabelContentEncryption     Key = "label.content_encryption"
	LabelPKIBody               Key = "label.pki_body"
	LabelProtected             Key = "label.protected"
	LabelExtraCerts            Key = "label.extra_certs"
)

// Keys of rekey inspect for CMP messages (package cmp decodes them).
const (
	LabelTransactionID   Key = "label.transaction_id"
	LabelSender          Key = "label.sender"
	LabelRecipient       Key = "label.recipient"
	LabelMessageTime     Key = "label.message_time"
	LabelSenderNonce     Key = "label.sender_nonce"
	LabelRecipNonce      Key = "label.recip_nonce"
	LabelSenderKID       Key = "label.sender_kid"
	LabelFreeText        Key = "label.free_text"
	LabelGeneralInfo     Key = "label.general_info"
	LabelProtection      Key = "label.protection"
	LabelPKIStatus       Key = "label.pki_status"
	LabelFailInfo        Key = "label.fail_info"
	LabelCheckAfter      Key = "label.check_after"
	LabelCertRequests    Key = "label.cert_requests"
	LabelRevocations     Key = "label.revocations"
	LabelInfoTypes       Key = "label.info_types"
	LabelConfirmWaitTime Key = "label.confirm_wait_time"

	InspectProtectionSignature  Key = "inspect.protection_signature"
	InspectProtectionMAC        Key = "inspect.protection_mac"
	InspectUnprotected          Key = "inspect.unprotected"
	InspectProtectionNotChecked Key = "inspect.protection_not_checked"
	InspectMACNotChecked        Key = "inspect.mac_not_checked"
	InspectCertIn               Key = "inspect.cert_in"
	InspectOldCert              Key = "inspect.old_cert"
	InspectCheckAfterSeconds    Key = "inspect.check_after_seconds"
)

// Keys of the subscriber's renewal flow (package subscriber): its
// notices, the texts of its questions and the key states of rekey keys.
const (
	SubOfficeDefault        Key = "sub.office_default"
	SubProgress             Key = "sub.progress"
	SubReminder             Key = "sub.reminder"
	SubReminderLastDay      Key = "sub.reminder_last_day"
	SubReminderExpired      Key = "sub.reminder_expired"
	SubUnfinishedWarning    Key = "sub.unfinished_warning"
	SubUnfinishedQuestion   Key = "sub.unfinished_question"
	SubLastDay              Key = "sub.last_day"
	SubExpired              Key = "sub.expired"
	SubFormTitle            Key = "sub.form_title"
	SubFormOffice           Key = "sub.form_office"
	SubFormGenerate         Key = "sub.form_generate"
	SubChooseMedia          Key = "sub.choose_media"
	SubMediaRecommended     Key = "sub.media_recommended"
	SubNewPassword          Key = "sub.new_password"
	SubNewPasswordAgain     Key = "sub.new_password_again"
	SubPasswordMismatch     Key = "sub.password_mismatch"
	SubEmptyPasswordWarning Key = "sub.empty_password_warning"
	SubEmptyPasswordConfirm Key = "sub.empty_password_confirm"
	SubCurrentPassword      Key = "sub.current_password"
	SubNewKeyPassword       Key = "sub.new_key_password"
	SubWrongPassword        Key = "sub.wrong_password"
	SubTokenPIN             Key = "sub.token_pin"
	SubUnencrypted          Key = "sub.unencrypted"
	SubQueued               Key = "sub.queued"
	SubClosingBackup        Key = "sub.closing_backup"
	SubClosingKeepUsing     Key = "sub.closing_keep_using"
	SubClosingSync          Key = "sub.closing_sync"
	SubRecovered            Key = "sub.recovered"
	SubAbandoned            Key = "sub.abandoned"
	SubDraftFinished        Key = "sub.draft_finished"
	SubSent                 Key = "sub.sent"
	SubWaiting              Key = "sub.waiting"
	SubNotYet               Key = "sub.not_yet"
	SubRefused              Key = "sub.refused"
	SubRenewed              Key = "sub.renewed"
	SubArchived             Key = "sub.archived"
	SubMediaMissing         Key = "sub.media_missing"
	SubUnreachable          Key = "sub.unreachable"
	SubBackupDone           Key = "sub.backup_done"
	SubTokenNoBackup        Key = "sub.token_no_backup"
)

// catalogue holds every message. Keys built at run time ("type.…", "ku.…",
// "oid.…") are listed here too, so the completeness test sees them.
var catalogue = map[Key]message{
	// Command line.
	ErrBadLang: {"неизвестный язык %q: допустимы ru и en",
		"unknown language %q: use ru or en"},
	ErrArgs: {"%s: ожидается аргументов: %d, получено: %d",
		"%s takes %d argument(s), got %d"},
	HintHelp: {"справка: %s --help", "see %s --help"},
	ErrReadFile: {"не удалось прочитать %s: %s",
		"cannot read %s: %s"},
	HintCheckPath: {"проверьте путь к файлу и права доступа",
		"check the file's path and permissions"},
	ErrReadPassword: {"не удалось прочитать файл пароля %s: %s",
		"cannot read the password file %s: %s"},
	HintPasswordFile: {"файл пароля содержит пароль в первой строке; перевод строки в конце не учитывается",
		"the password file holds the password on its first line; a final newline is ignored"},
	ErrEmptyPassword: {"файл пароля %s пуст", "the password file %s is empty"},
	ReasonNotExist:   {"файл не найден", "no such file"},
	ReasonPermission: {"нет прав доступа", "permission denied"},
	ReasonIsDir:      {"это каталог, а не файл", "it is a directory, not a file"},
	CmdRekeyShort: {"клиент абонента: ключи и сертификаты, их плановая замена",
		"the subscriber's client: keys and certificates and their renewal"},
	CmdRekeyLong: {"rekey находит ключи абонента на его носителях, напоминает об окончании их срока\n" +
		"действия и заменяет ключ и сертификат удалённо, без визита в удостоверяющий центр.",
		"rekey finds the subscriber's keys on their media, reminds before they expire and\n" +
			"renews key and certificate remotely, without a visit to the certification authority."},
	FlagLang: {"язык сообщений: ru или en (по умолчанию — из локали: LC_ALL, LC_MESSAGES, LANG)",
		"language of messages: ru or en (default from the locale: LC_ALL, LC_MESSAGES, LANG)"},
	FlagJSON:     {"вывод в JSON для программ", "print JSON for programs"},
	CmdHelpShort: {"справка по любой команде", "help about any command"},
	CmdHelpLong: {"Показывает справку по указанной команде.",
		"Shows the help of the command named."},
	FlagHelp:          {"справка по команде", "help for the command"},
	UsageTemplateHead: {"Использование:", "Usage:"},
	UsageAliases:      {"Другие имена:", "Aliases:"},
	UsageExamples:     {"Примеры:", "Examples:"},
	UsageCommands:     {"Команды:", "Commands:"},
	UsageFlags:        {"Параметры:", "Flags:"},
	UsageGlobalFlags:  {"Общие параметры:", "Global flags:"},
	UsageMore: {"Справка по команде: %s [команда] --help",
		"Use \"%s [command] --help\" for more about a command."},

	// rekey inspect: the command.
	CmdInspectShort: {"показать сертификат, запрос, СОС, ключ, PKCS#12 или сообщение CMS",
		"show a certificate, request, CRL, key, PKCS#12 file or CMS message"},
	CmdInspectLong: {"Команда распознаёт формат файла (PEM, DER) и тип объекта, показывает владельца\n" +
		"и издателя, алгоритмы, сроки действия сертификата и ключа, расширения и проверяет\n" +
		"подпись: у запроса и самоподписанного сертификата — всегда, у сертификата и СОС —\n" +
		"ключом сертификата из --issuer или из того же файла.\n\n" +
		"Код завершения: 0 — объект разобран и все проверенные подписи верны;\n" +
		"1 — подпись неверна или не может быть проверена, файл не читается или не распознан;\n" +
		"2 — ошибка в параметрах команды.",
		"The command detects the file's format (PEM, DER) and the object's type and shows\n" +
			"the subject and issuer, the algorithms, the validity of the certificate and of\n" +
			"its key, the extensions, and checks the signature: always for a request and a\n" +
			"self-signed certificate, for certificates and CRLs with the key of the --issuer\n" +
			"certificate or of a certificate in the same file.\n\n" +
			"Exit status: 0 when the object parses and every signature checked is valid;\n" +
			"1 when a signature is invalid or cannot be checked, or the file cannot be read\n" +
			"or recognized; 2 for a usage error."},
	CmdInspectExample: {"  rekey inspect сертификат.cer\n" +
		"  rekey inspect --issuer ca.pem сертификат.pem\n" +
		"  rekey inspect --password-file пароль.txt ключ.p12\n" +
		"  rekey inspect --json запрос.p10",
		"  rekey inspect certificate.cer\n" +
			"  rekey inspect --issuer ca.pem certificate.pem\n" +
			"  rekey inspect --password-file password.txt key.p12\n" +
			"  rekey inspect --json request.p10"},
	FlagIssuer: {"сертификат издателя (PEM или DER) для проверки подписи",
		"the issuer's certificate (PEM or DER) to check the signature with"},
	FlagPasswordFile: {"файл с паролем для PKCS#12 и зашифрованного ключа (без него показывается только структура)",
		"file with the password of a PKCS#12 file or encrypted key (without it only the structure is shown)"},
	ErrUnknownFormat: {"%s: формат не распознан", "%s: unknown format"},
	HintUnknownFormat: {"rekey inspect читает сертификаты, запросы, СОС, ключи (PKCS#8, PKCS#12) и сообщения CMS в PEM или DER",
		"rekey inspect reads certificates, requests, CRLs, keys (PKCS#8, PKCS#12) and CMS messages in PEM or DER"},
	ErrIssuerFile: {"%s не содержит сертификата издателя: %s",
		"%s holds no issuer certificate: %s"},
	HintIssuerFile: {"--issuer ожидает сертификат удостоверяющего центра в PEM или DER",
		"--issuer takes the certification authority's certificate in PEM or DER"},
	HintLegacy: {"ГОСТ Р 34.10-94 и ГОСТ Р 34.10-2001 выведены из употребления; такой сертификат нужно перевыпустить по ГОСТ Р 34.10-2012",
		"GOST R 34.10-94 and GOST R 34.10-2001 are withdrawn; such a certificate must be reissued under GOST R 34.10-2012"},
	HintWrongPassword: {"проверьте файл пароля (--password-file); без пароля команда покажет только структуру",
		"check the password file (--password-file); without a password the command shows the structure only"},
	HintUnsupported: {"rekey проверяет подписи ГОСТ Р 34.10-2012, ECDSA, RSA с SHA-2 и Ed25519",
		"rekey checks GOST R 34.10-2012, ECDSA, RSA with SHA-2 and Ed25519 signatures"},
	HintIssuerMismatch: {"имя издателя в объекте должно совпадать с именем владельца сертификата --issuer",
		"the object's issuer name must be the subject name of the --issuer certificate"},

	// rekey inspect: the report.
	InspectObjectOf: {"Объект %d из %d: %s", "Object %d of %d: %s"},
	InspectObjectN:  {"объект %d", "object %d"},
	InspectUnknownBlock: {"блок PEM %q: тип объекта не распознан",
		"PEM block %q: unknown object type"},
	InspectLegacyPEMEncryption: {"ключ зашифрован устаревшим способом PEM (DEK-Info), который rekey не читает; преобразуйте его в PKCS#8",
		"the key is encrypted with legacy PEM encryption (DEK-Info), which rekey does not read; convert it to PKCS#8"},
	InspectMalformed: {"объект повреждён или имеет неверную структуру: %s",
		"the object is damaged or malformed: %s"},
	InspectIssuerMismatch: {"сертификат --issuer (%s) не является издателем объекта (издатель: %s)",
		"the --issuer certificate (%s) is not the object's issuer (issuer: %s)"},
	InspectSignatureLegacy: {"подпись не проверена: алгоритм %s устарел и не поддерживается",
		"the signature cannot be checked: the algorithm %s is legacy and not supported"},
	InspectSignatureUnsupported: {"подпись не проверена: алгоритм %s не поддерживается",
		"the signature cannot be checked: the algorithm %s is not supported"},
	InspectSignatureInvalid: {"подпись неверна: %s", "the signature is not valid: %s"},
	InspectKeyNotUsable: {"rekey не работает с ключами этого алгоритма: %s",
		"rekey does not use keys of this algorithm: %s"},
	InspectKeyUnencrypted: {"ключ хранится незашифрованным", "the key is stored unencrypted"},
	InspectNotDecrypted: {"содержимое не расшифровывалось: пароль не задан (--password-file)",
		"the contents were not decrypted: no password given (--password-file)"},
	InspectWrongPassword: {"неверный пароль или файл повреждён", "wrong password or damaged file"},
	InspectDecryptFailed: {"не удалось расшифровать: %s", "cannot decrypt: %s"},
	InspectPKIMessageNotDecoded: {"сообщение CMP (PKIMessage) пока не разбирается полностью",
		"the CMP message (PKIMessage) is not decoded in full yet"},
	InspectCMSNotVerified: {"подпись отсоединённая: подписанное содержимое не приложено, подпись не проверена",
		"detached signature: the signed content is not inside, so the signature was not checked"},
	InspectCMSSignerNotFound: {"сертификата подписавшего нет в сообщении, подпись не проверена; укажите его в --issuer",
		"the signer's certificate is not in the message, so the signature was not checked; give it with --issuer"},
	InspectEmptyName:       {"(пусто)", "(empty)"},
	InspectCertNotYetValid: {"Сертификат ещё не действует: начнёт действовать через %s", "The certificate is not valid yet: it starts in %s"},
	InspectCertExpired:     {"Срок действия сертификата истёк %s назад", "The certificate expired %s ago"},
	InspectCertExpiresIn:   {"Срок действия сертификата истекает через %s", "The certificate expires in %s"},
	InspectKeyExpired:      {"Срок действия ключа истёк %s назад", "The key expired %s ago"},
	InspectKeyExpiresIn:    {"Срок действия ключа истекает через %s", "The key expires in %s"},
	InspectCRLOutdated:     {"срок прошёл, нужен новый список", "overdue, a newer list is needed"},
	InspectBits:            {"%d бит", "%d bits"},
	InspectCurve:           {"кривая %s", "curve %s"},
	InspectSignatureNotChecked: {"Подпись не проверена: нет сертификата издателя (--issuer)",
		"Signature not checked: the issuer's certificate is not at hand (--issuer)"},
	InspectSignatureValid:    {"Подпись верна (%s)", "Signature valid (%s)"},
	InspectSignatureNotValid: {"Подпись НЕ верна (%s)", "Signature NOT valid (%s)"},
	InspectCheckedRequest:    {"самоподпись запроса", "the request's self-signature"},
	InspectCheckedSelf:       {"самоподписанный сертификат", "self-signed"},
	InspectCheckedIssuer:     {"ключом сертификата --issuer", "with the --issuer certificate"},
	InspectCheckedObject:     {"ключом объекта %d этого файла", "with object %d of this file"},
	InspectCritical:          {"критическое", "critical"},
	InspectCA:                {"удостоверяющий центр", "CA"},
	InspectNotCA:             {"не удостоверяющий центр", "not a CA"},
	InspectPathLen:           {"длина пути не более %d", "path length at most %d"},
	InspectIterations:        {"итераций: %d", "%d iterations"},
	InspectSaltBytes:         {"соль %s", "salt of %s"},
	InspectPKCS12MACDesc:     {"HMAC, хэш %s, итераций: %d", "HMAC with %s, %d iterations"},
	InspectNone:              {"нет", "none"},
	InspectSafeEncrypted:     {"зашифрована: %s", "encrypted: %s"},
	InspectSafePlain:         {"не зашифрована", "not encrypted"},
	InspectYes:               {"да", "yes"},
	InspectNo:                {"нет", "no"},
	InspectEncryptedWith:     {"зашифрован: %s", "encrypted: %s"},
	InspectFriendlyName:      {"имя «%s»", "name \"%s\""},
	InspectCertLine:          {"%s; серийный номер %s; действителен по %s", "%s; serial %s; valid until %s"},
	InspectCMSType:           {"%s (%s)", "%s (%s)"},
	InspectDetached:          {"отсоединённая подпись: содержимого в сообщении нет", "detached: the content is not inside"},
	InspectIssuerSerial:      {"издатель %s, серийный номер %s", "issuer %s, serial %s"},
	InspectKeyIDIs:           {"идентификатор ключа %s", "key identifier %s"},

	LabelSubject:               {"Владелец", "Subject"},
	LabelIssuer:                {"Издатель", "Issuer"},
	LabelSerial:                {"Серийный номер", "Serial number"},
	LabelNotBefore:             {"Действителен с", "Valid from"},
	LabelNotAfter:              {"Действителен по", "Valid until"},
	LabelKeyExpires:            {"Ключ действует по", "Key usable until"},
	LabelCRLNumber:             {"Номер списка", "CRL number"},
	LabelThisUpdate:            {"Выпущен", "Issued"},
	LabelNextUpdate:            {"Следующий выпуск", "Next update"},
	LabelRevoked:               {"Отозвано сертификатов", "Revoked certificates"},
	LabelPublicKey:             {"Открытый ключ", "Public key"},
	LabelPrivateKey:            {"Закрытый ключ", "Private key"},
	LabelKeyID:                 {"Идентификатор ключа", "Key identifier"},
	LabelMatchesCertificate:    {"Соответствует сертификату", "Matches the certificate"},
	LabelKeyMatchesFirstCert:   {"Ключ соответствует первому сертификату", "The key matches the first certificate"},
	LabelSignatureAlgorithm:    {"Алгоритм подписи", "Signature algorithm"},
	LabelEncryption:            {"Шифрование", "Encryption"},
	LabelNote:                  {"Примечание", "Note"},
	LabelProblem:               {"Ошибка", "Problem"},
	LabelExtensions:            {"Расширения", "Extensions"},
	LabelBasicConstraints:      {"Основные ограничения", "Basic constraints"},
	LabelKeyUsage:              {"Использование ключа", "Key usage"},
	LabelExtKeyUsage:           {"Расширенное использование ключа", "Extended key usage"},
	LabelSubjectKeyID:          {"Идентификатор ключа владельца", "Subject key identifier"},
	LabelAuthorityKeyID:        {"Идентификатор ключа издателя", "Authority key identifier"},
	LabelPolicies:              {"Политики сертификата", "Certificate policies"},
	LabelCRLDP:                 {"Точки распространения СОС", "CRL distribution points"},
	LabelPrivateKeyUsagePeriod: {"Срок действия закрытого ключа", "Private key usage period"},
	LabelSubjectSignTool:       {"Средство ЭП владельца", "Subject's signature tool"},
	LabelIssuerSignTool:        {"Средства ЭП и УЦ издателя", "Issuer's signature and CA tools"},
	LabelSignTool:              {"Средство ЭП", "Signature tool"},
	LabelCATool:                {"Средство УЦ", "CA tool"},
	LabelSignToolCert:          {"Заключение на средство ЭП", "Signature tool certificate"},
	LabelCAToolCert:            {"Заключение на средство УЦ", "CA tool certificate"},
	LabelOtherExtensions:       {"Прочие расширения", "Other extensions"},
	LabelPKCS12MAC:             {"Контроль целостности", "Integrity MAC"},
	LabelPKCS12Safe:            {"Часть %d", "Safe %d"},
	LabelCertificates:          {"Сертификатов", "Certificates"},
	LabelContentType:           {"Тип содержимого", "Content type"},
	LabelVersion:               {"Версия", "Version"},
	LabelEncapsulated:          {"Вложенное содержимое", "Encapsulated content"},
	LabelDigestAlgorithms:      {"Алгоритмы хэширования", "Digest algorithms"},
	LabelDigestAlgorithm:       {"Алгоритм хэширования", "Digest algorithm"},
	LabelCRLs:                  {"Списков отзыва", "CRLs"},
	LabelSigners:               {"Подписанты", "Signers"},
	LabelSignedAttributes:      {"Подписанные атрибуты", "Signed attributes"},
	LabelRecipients:            {"Получатели", "Recipients"},
	LabelKeyEncryption:         {"Шифрование ключа", "Key encryption"},
	LabelContentEncryption:     {"Шифрование содержимого", "Content encryption"},
	LabelPKIBody:               {"Тип сообщения", "Body"},
	LabelProtected:             {"Защищено", "Protected"},
	LabelExtraCerts:            {"Дополнительных сертификатов", "Extra certificates"},

	// Object types, "type." + inspect.Type.
	"type.certificate":           {"Сертификат", "Certificate"},
	"type.certificate_request":   {"Запрос на сертификат (PKCS#10)", "Certificate request (PKCS#10)"},
	"type.crl":                   {"Список отозванных сертификатов (СОС)", "Certificate revocation list (CRL)"},
	"type.private_key":           {"Закрытый ключ (PKCS#8)", "Private key (PKCS#8)"},
	"type.encrypted_private_key": {"Зашифрованный закрытый ключ (PKCS#8)", "Encrypted private key (PKCS#8)"},
	"type.rsa_private_key":       {"Закрытый ключ RSA (PKCS#1)", "RSA private key (PKCS#1)"},
	"type.ec_private_key":        {"Закрытый ключ EC (SEC 1)", "EC private key (SEC 1)"},
	"type.public_key":            {"Открытый ключ", "Public key"},
	"type.pkcs12":                {"Контейнер PKCS#12", "PKCS#12 file"},
	"type.cms":                   {"Сообщение CMS", "CMS message"},
	"type.pki_message":           {"Сообщение CMP (PKIMessage)", "CMP message (PKIMessage)"},
	"type.unknown":               {"Неизвестный объект", "Unknown object"},

	// Key usage bits, "ku." + the RFC 5280 name.
	"ku.digitalSignature": {"цифровая подпись", "digital signature"},
	"ku.nonRepudiation":   {"неотрекаемость", "non-repudiation"},
	"ku.keyEncipherment":  {"шифрование ключей", "key encipherment"},
	"ku.dataEncipherment": {"шифрование данных", "data encipherment"},
	"ku.keyAgreement":     {"согласование ключей", "key agreement"},
	"ku.keyCertSign":      {"подпись сертификатов", "certificate signing"},
	"ku.cRLSign":          {"подпись списков отзыва", "CRL signing"},
	"ku.encipherOnly":     {"только шифрование", "encipher only"},
	"ku.decipherOnly":     {"только расшифрование", "decipher only"},

	// Extended key usages and policies, "oid." + the dotted OID.
	"oid.1.3.6.1.5.5.7.3.1": {"проверка подлинности сервера", "server authentication"},
	"oid.1.3.6.1.5.5.7.3.2": {"проверка подлинности клиента", "client authentication"},
	"oid.1.3.6.1.5.5.7.3.3": {"подписание кода", "code signing"},
	"oid.1.3.6.1.5.5.7.3.4": {"защищённая электронная почта", "e-mail protection"},
	"oid.1.3.6.1.5.5.7.3.8": {"штампы времени", "time stamping"},
	"oid.1.3.6.1.5.5.7.3.9": {"подписание ответов OCSP", "OCSP signing"},
	"oid.2.5.29.32.0":       {"любая политика", "any policy"},
	"oid.1.2.643.100.113.1": {"класс средства ЭП КС1", "signature tool class KS1"},
	"oid.1.2.643.100.113.2": {"класс средства ЭП КС2", "signature tool class KS2"},
	"oid.1.2.643.100.113.3": {"класс средства ЭП КС3", "signature tool class KS3"},
	"oid.1.2.643.100.113.4": {"класс средства ЭП КВ1", "signature tool class KV1"},
	"oid.1.2.643.100.113.5": {"класс средства ЭП КВ2", "signature tool class KV2"},
	"oid.1.2.643.100.113.6": {"класс средства ЭП КА1", "signature tool class KA1"},

	// The subscriber's renewal flow (package subscriber). The S numbers are
	// the manual's steps (seed/requirements.md).
	SubOfficeDefault: {"обратитесь в отдел по работе с клиентами оператора",
		"contact the operator's client service"},
	SubProgress: {"Ключ %d из %d: %s (%s)", "Key %d of %d: %s (%s)"},
	SubReminder: {"Срок действия ключа %s (%s) истекает: осталось дней: %d. Замените его сейчас: %s",
		"Key %s (%s) is expiring: %d days left. Replace it now: %s"},
	SubReminderLastDay: {"Сегодня последний день действия ключа %s (%s): удалённая замена уже невозможна, замените ключ в офисе оператора",
		"Today is the last day of key %s (%s): it can no longer be replaced remotely; replace it in the operator's office"},
	SubReminderExpired: {"Срок действия ключа %s (%s) истёк: замените ключ в офисе оператора",
		"Key %s (%s) has expired: replace it in the operator's office"},
	SubUnfinishedWarning: {"Не завершён документооборот по отправкам: подтверждения, зашифрованные на текущий ключ, после замены можно будет прочитать только архивным ключом",
		"Some exchanges are not finished: confirmations encrypted to the current key can be read after the renewal only with the archived key"},
	SubUnfinishedQuestion: {"Продолжить замену ключа?", "Go on with the key renewal?"},
	SubLastDay: {"Сегодня последний день действия ключа %s: удалённая замена невозможна. Замените ключ в офисе оператора: %s",
		"Today is the last day of key %s: it cannot be replaced remotely. Replace it in the operator's office: %s"},
	SubExpired: {"Срок действия ключа %s истёк: удалённая замена невозможна. Замените ключ в офисе оператора: %s",
		"Key %s has expired: it cannot be replaced remotely. Replace it in the operator's office: %s"},
	SubFormTitle: {"Формирование нового ключа и запроса на сертификат",
		"New key and certificate request"},
	SubFormOffice: {"Данные заполнены из действующего сертификата и не меняются. Если реквизиты изменились или ключ скомпрометирован (утерян, повреждён), ключ заменяется в офисе: %s",
		"The details come from the current certificate and cannot be changed here. If they have changed, or the key is compromised (lost, broken), the key is replaced in the office: %s"},
	SubFormGenerate:     {"Сформировать новый ключ?", "Generate the new key?"},
	SubChooseMedia:      {"Выберите носитель для нового ключа", "Choose the media for the new key"},
	SubMediaRecommended: {"рекомендуется: на нём действующий ключ", "recommended: it holds the current key"},
	SubNewPassword:      {"Пароль нового ключа %s", "Password of the new key %s"},
	SubNewPasswordAgain: {"Пароль ещё раз", "The password again"},
	SubPasswordMismatch: {"пароли не совпадают", "the passwords do not match"},
	SubEmptyPasswordWarning: {"Без пароля ключ хранится на носителе незашифрованным: любой, кто получит носитель, сможет подписывать от вашего имени",
		"Without a password the key is stored unencrypted: anyone who gets the media can sign in your name"},
	SubEmptyPasswordConfirm: {"Оставить ключ без пароля?", "Leave the key without a password?"},
	SubCurrentPassword:      {"Пароль действующего ключа %s (%s)", "Password of the current key %s (%s)"},
	SubNewKeyPassword:       {"Пароль нового ключа %s, заданный при замене", "Password of the new key %s, set during the renewal"},
	SubWrongPassword:        {"неверный пароль (попытка %d из %d)", "wrong password (attempt %d of %d)"},
	SubTokenPIN:             {"PIN-код токена %s", "PIN of token %s"},
	SubUnencrypted: {"Ключ %s записан без пароля (незашифрованным): храните носитель в надёжном месте",
		"Key %s is stored without a password (unencrypted): keep the media safe"},
	SubQueued: {"Новый ключ для %s создан: %s на %s. Запрос на сертификат подготовлен; сертификат будет выдан в течение суток",
		"The new key for %s is made: %s on %s. The certificate request is ready; the certificate will be issued within a day"},
	SubClosingBackup: {"Сделайте резервную копию ключевого носителя: rekey backup КЛЮЧ --to КАТАЛОГ (раздел «Работа с ключевыми носителями» руководства)",
		"Back up the key media: rekey backup KEY --to DIR (see \"Working with key media\" in the guide)"},
	SubClosingKeepUsing: {"До получения нового сертификата продолжайте работать с действующим ключом",
		"Until the new certificate arrives, keep working with the current key"},
	SubClosingSync: {"Запрос уйдёт при приёме-передаче почты (rekey sync); носитель с действующим ключом должен быть подключён",
		"The request goes with the next mail exchange (rekey sync); the media with the current key must be inserted"},
	SubRecovered: {"Завершён прерванный шаг: %s", "Finished an interrupted step: %s"},
	SubAbandoned: {"Прерванная замена ключа %s не успела записать новый ключ и отменена; замену можно начать снова",
		"The interrupted renewal of key %s had not written the new key and is dropped; the key may be renewed again"},
	SubDraftFinished: {"Прерванная замена ключа %s завершается: запрос для нового ключа %s подготовлен",
		"Finishing the interrupted renewal of key %s: the request for the new key %s is ready"},
	SubSent:    {"Запрос на сертификат для ключа %s отправлен", "The certificate request for key %s is sent"},
	SubWaiting: {"Сертификат для ключа %s ещё не выдан; следующая проверка после %s", "The certificate for key %s is not issued yet; next check after %s"},
	SubNotYet:  {"Сертификат для ключа %s ещё не готов; проверка не ранее %s", "The certificate for key %s is not ready yet; check again after %s"},
	SubRefused: {"Оператор отклонил замену ключа %s: %s. Замените ключ в офисе: %s",
		"The operator refused to renew key %s: %s. Replace the key in the office: %s"},
	SubRenewed: {"Ключ %s заменён: новый ключ %s действует до %s (дней: %d)",
		"Key %s is renewed: the new key %s is valid until %s (%d days)"},
	SubArchived: {"Прежний ключ %s на %s перенесён в архив: подписывать им нельзя, расшифровывать можно",
		"The old key %s on %s is archived: it no longer signs and still decrypts"},
	SubMediaMissing: {"носитель %s не подключён: подключите его и повторите",
		"media %s is not present: insert it and try again"},
	SubUnreachable: {"оператор недоступен: %s; запрос остаётся в очереди и уйдёт при следующем обмене",
		"the operator cannot be reached: %s; the request stays queued for the next exchange"},
	SubBackupDone: {"Ключ %s скопирован в %s; копия проверена", "Key %s is copied to %s; the copy is verified"},
	SubTokenNoBackup: {"Ключ %s создан на токене %s как неизвлекаемый: скопировать его нельзя, в этом его защита. Храните токен бережно; при утере или поломке ключ заменяется в офисе",
		"Key %s was made on token %s as non-extractable: it cannot be copied, which is what protects it. Keep the token safe; if it is lost or broken, the key is replaced in the office"},

	// Key states of rekey keys, "state." + subscriber.State.
	"state.valid":             {"действует", "valid"},
	"state.expiring":          {"истекает", "expiring"},
	"state.last_day":          {"последний день", "last day"},
	"state.expired":           {"истёк", "expired"},
	"state.renewal_requested": {"замена запрошена", "renewal requested"},
	"state.waiting":           {"ожидается сертификат", "waiting for certificate"},
	"state.renewed":           {"заменён", "renewed"},
	"state.archived":          {"в архиве", "archived"},
	"state.refused":           {"замена отклонена", "renewal refused"},

	// rekey inspect: CMP messages.
	LabelTransactionID:   {"Идентификатор транзакции", "Transaction ID"},
	LabelSender:          {"Отправитель", "Sender"},
	LabelRecipient:       {"Получатель", "Recipient"},
	LabelMessageTime:     {"Время сообщения", "Message time"},
	LabelSenderNonce:     {"Случайное число отправителя", "Sender nonce"},
	LabelRecipNonce:      {"Случайное число получателя", "Recipient nonce"},
	LabelSenderKID:       {"Идентификатор ключа отправителя", "Sender key ID"},
	LabelFreeText:        {"Текст", "Free text"},
	LabelGeneralInfo:     {"Дополнительные сведения", "General info"},
	LabelProtection:      {"Защита", "Protection"},
	LabelPKIStatus:       {"Статус", "Status"},
	LabelFailInfo:        {"Причина отказа", "Failure"},
	LabelCheckAfter:      {"Повторить запрос", "Check after"},
	LabelCertRequests:    {"Запросы сертификатов", "Certificate requests"},
	LabelRevocations:     {"Отзыв сертификатов", "Revocations"},
	LabelInfoTypes:       {"Запрошенные или выданные сведения", "Info types"},
	LabelConfirmWaitTime: {"Подтверждение ожидается до", "Confirmation awaited until"},

	InspectProtectionSignature: {"подпись: %s", "signature: %s"},
	InspectProtectionMAC:       {"MAC на общем секрете: %s", "MAC with a shared secret: %s"},
	InspectUnprotected:         {"без защиты", "none"},
	InspectProtectionNotChecked: {"защита не проверена: сертификата отправителя нет в сообщении; укажите его в --issuer",
		"the protection is not checked: the sender's certificate is not in the message; give it with --issuer"},
	InspectMACNotChecked: {"защита MAC не проверена: для неё нужен общий секрет",
		"the MAC protection is not checked: it needs the shared secret"},
	InspectCertIn:            {"%s (%s)", "%s (%s)"},
	InspectOldCert:           {"обновляемый сертификат: серийный номер %s", "updates the certificate with serial %s"},
	InspectCheckAfterSeconds: {"через %d с", "after %d s"},
}
