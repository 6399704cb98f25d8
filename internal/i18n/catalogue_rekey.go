package i18n

// Keys of the subscriber's commands: rekey keys, renew, sync and backup,
// their flags, the terminal's questions and the errors they print. The
// flow's own notices are the Sub… keys of catalogue.go.
const (
	FlagMedia           Key = "flag.media"
	FlagPKCS11          Key = "flag.pkcs11"
	FlagSpool           Key = "flag.spool"
	FlagToMedia         Key = "flag.to_media"
	FlagAllExpiring     Key = "flag.all_expiring"
	FlagKeyPasswordFile Key = "flag.key_password_file"
	FlagNewPasswordFile Key = "flag.new_password_file"
	FlagEmptyPassword   Key = "flag.empty_password"
	FlagYes             Key = "flag.yes"
	FlagBackupTo        Key = "flag.backup_to"

	CmdKeysShort     Key = "cmd.keys.short"
	CmdKeysLong      Key = "cmd.keys.long"
	CmdKeysExample   Key = "cmd.keys.example"
	CmdRenewShort    Key = "cmd.renew.short"
	CmdRenewLong     Key = "cmd.renew.long"
	CmdRenewExample  Key = "cmd.renew.example"
	CmdSyncShort     Key = "cmd.sync.short"
	CmdSyncLong      Key = "cmd.sync.long"
	CmdSyncExample   Key = "cmd.sync.example"
	CmdBackupShort   Key = "cmd.backup.short"
	CmdBackupLong    Key = "cmd.backup.long"
	CmdBackupExample Key = "cmd.backup.example"

	KeysHeader      Key = "keys.header"
	KeysTokenMedia  Key = "keys.token_media"
	KeysNone        Key = "keys.none"
	KeysNoneHint    Key = "keys.none_hint"
	KeysNoLastDay   Key = "keys.no_last_day"
	KeysMediaError  Key = "keys.media_error"
	RenewNoExpiring Key = "renew.no_expiring"
	RenewSummary    Key = "renew.summary"
	SyncNothing     Key = "sync.nothing"
	SyncPending     Key = "sync.pending"
	SyncPendingErr  Key = "sync.pending_error"
	SyncRenewedLine Key = "sync.renewed_line"
	BackupCopied    Key = "backup.copied"

	AskYesNo          Key = "ask.yes_no"
	AskChoice         Key = "ask.choice"
	AskBadChoice      Key = "ask.bad_choice"
	AskUnfinishedItem Key = "ask.unfinished_item"
	AskMediaCurrent   Key = "ask.media_current"
	AskPINRetries     Key = "ask.pin_retries"
	AskPINLow         Key = "ask.pin_low"
	AskPINFinal       Key = "ask.pin_final"
	AskPINLocked      Key = "ask.pin_locked"
	AskPINUnknown     Key = "ask.pin_unknown"
	AskWrongPIN       Key = "ask.wrong_pin"
	AskFormProfile    Key = "ask.form_profile"
	AskFormLastDay    Key = "ask.form_last_day"
	AskPasswordExch   Key = "ask.password_exchange"
	AskPasswordBackup Key = "ask.password_backup"

	ErrNoTerminal      Key = "err.no_terminal"
	HintNoTerminal     Key = "hint.no_terminal"
	ErrRenewArgs       Key = "err.renew_args"
	ErrSpoolDir        Key = "err.spool_dir"
	HintSpoolDir       Key = "hint.spool_dir"
	ErrCancelled       Key = "err.cancelled"
	ErrKeyLastDay      Key = "err.key_last_day"
	ErrKeyExpired      Key = "err.key_expired"
	HintOffice         Key = "hint.office"
	HintClock          Key = "hint.clock"
	ErrKeyMedia        Key = "err.key_media"
	HintInsertMedia    Key = "hint.insert_media"
	ErrKeyPassword     Key = "err.key_password"
	HintKeyPassword    Key = "hint.key_password"
	ErrKeyUnreachable  Key = "err.key_unreachable"
	HintUnreachable    Key = "hint.unreachable"
	ErrKeyNotNow       Key = "err.key_not_now"
	HintNotNow         Key = "hint.not_now"
	ErrKeyRefused      Key = "err.key_refused"
	ErrKeyPending      Key = "err.key_pending"
	HintKeyPending     Key = "hint.key_pending"
	ErrKeyNotRenewable Key = "err.key_not_renewable"
	ErrKeyNotFound     Key = "err.key_not_found"
	HintKeyNotFound    Key = "hint.key_not_found"
	ErrKeyAmbiguous    Key = "err.key_ambiguous"
	HintKeyAmbiguous   Key = "hint.key_ambiguous"
	ErrNoAnswer        Key = "err.no_answer"
	ErrTokenNoBackup   Key = "err.token_no_backup"
	ErrKeyOther        Key = "err.key_other"
	ErrSpoolBusy       Key = "err.spool_busy"
	ErrPINLocked       Key = "err.pin_locked"
	HintPINLocked      Key = "hint.pin_locked"

	// SubRefusedClock is a notice of the flow (package subscriber), like
	// the Sub… keys of catalogue.go: a refusal for the message's time.
	SubRefusedClock Key = "sub.refused_clock"
	// SubRefusedOffice is SubRefused when the operator's text already
	// names the office: the text is not repeated.
	SubRefusedOffice Key = "sub.refused_office"

	ErrConfigFile  Key = "err.config_file"
	HintConfigFile Key = "hint.config_file"
)

// rekeyCatalogue holds the messages of the Key constants above; init
// merges it into catalogue.
var rekeyCatalogue = map[Key]message{
	FlagMedia: {"каталог носителя с ключами (можно несколько раз; также REKEY_MEDIA через двоеточие); подключённые носители /media/*/*, /run/media/*/*, /mnt/* просматриваются всегда, если REKEY_MOUNTS не задаёт другие",
		"a media directory holding keys (repeatable; also REKEY_MEDIA, colon-separated); the mounted drives /media/*/*, /run/media/*/*, /mnt/* are always searched unless REKEY_MOUNTS names others"},
	FlagPKCS11: {"модуль PKCS#11 токенов (например, /usr/lib/librtpkcs11ecp.so; можно несколько раз; также REKEY_PKCS11 через двоеточие)",
		"the PKCS#11 module of tokens (e.g. /usr/lib/librtpkcs11ecp.so; repeatable; also REKEY_PKCS11, colon-separated)"},
	FlagSpool: {"каталог исходящих и входящих сообщений (также REKEY_SPOOL; по умолчанию $XDG_STATE_HOME/rekey/spool)",
		"the directory of the outbox and inbox (also REKEY_SPOOL; default $XDG_STATE_HOME/rekey/spool)"},
	FlagToMedia: {"носитель для нового ключа: каталог или token:МЕТКА (по умолчанию — носитель действующего ключа)",
		"the media for the new key: a directory or token:LABEL (default: the current key's media)"},
	FlagAllExpiring: {"заменить все ключи, срок которых истекает (осталось 30 дней или меньше)",
		"renew every expiring key (30 days or less left)"},
	FlagKeyPasswordFile: {"файл с паролем (или PIN-кодом токена) действующего ключа",
		"a file holding the current key's password (or the token's PIN)"},
	FlagNewPasswordFile: {"файл с паролем нового ключа (или PIN-кодом токена, на котором он создаётся)",
		"a file holding the new key's password (or the PIN of the token it is made on)"},
	FlagEmptyPassword: {"оставить новый ключ без пароля (незашифрованным); подтверждает предупреждение",
		"leave the new key without a password (unencrypted); confirms the warning"},
	FlagYes: {"отвечать «да» на вопросы (незавершённый документооборот, форма запроса)",
		"answer yes to the questions (unfinished exchanges, the request form)"},
	FlagBackupTo: {"каталог, в который копируется контейнер (например, другой носитель)",
		"the directory the container is copied into (another drive, say)"},

	CmdKeysShort: {"ключи на носителях: срок, состояние, владелец",
		"the keys on the media: last day, state, holder"},
	CmdKeysLong: {"Показывает все ключи на подключённых носителях и токенах: организацию, владельца, ИНН,\n" +
		"носитель, последний день действия ключа (окончание срока действия закрытого ключа,\n" +
		"если он указан в сертификате), сколько дней осталось, и состояние: действует, истекает,\n" +
		"последний день, истёк, замена запрошена, ожидается сертификат, заменён, в архиве.",
		"Shows every key on the media and tokens present: organization, holder, INN, media, the\n" +
			"key's last day (the private key usage period's end when the certificate has one), the\n" +
			"days left, and the state: valid, expiring, last day, expired, renewal requested,\n" +
			"waiting for certificate, renewed, archived."},
	CmdKeysExample: {"  rekey keys                                      # все ключи\n  rekey keys --media /media/user/FLASH --json     # один носитель, для программ",
		"  rekey keys                                      # every key\n  rekey keys --media /media/user/FLASH --json     # one drive, for programs"},
	CmdRenewShort: {"плановая замена ключа: новый ключ и запрос на сертификат",
		"renew a key: a new key and its certificate request"},
	CmdRenewLong: {"Заменяет ключ удалённо, как описано в руководстве: предупреждает о незавершённом\n" +
		"документообороте, показывает форму запроса (данные из действующего сертификата),\n" +
		"предлагает носитель (рекомендуется носитель действующего ключа), спрашивает пароль\n" +
		"нового ключа дважды (или PIN-код токена) и пароль действующего ключа, создаёт новый ключ\n" +
		"и ставит запрос, подписанный действующим ключом, в очередь. Запрос уходит при\n" +
		"rekey sync; сертификат выдаётся в течение суток. В последний день действия ключа и после\n" +
		"него удалённая замена невозможна: ключ заменяется в офисе.\n\n" +
		"Без терминала на каждый вопрос отвечает параметр: --yes, --to-media,\n" +
		"--new-password-file (или --empty-password), --password-file.",
		"Renews keys remotely, as the manual describes: warns about unfinished exchanges, shows\n" +
			"the request form (the current certificate's details), offers the media (the current\n" +
			"key's is recommended), asks the new key's password twice (or the token's PIN) and the\n" +
			"current key's password, makes the new key and queues the request signed with the\n" +
			"current key. rekey sync sends it; the certificate is issued within a day. On the key's\n" +
			"last day and after it remote renewal is impossible: the key is replaced in the office.\n\n" +
			"Without a terminal every question has a flag: --yes, --to-media,\n" +
			"--new-password-file (or --empty-password), --password-file."},
	CmdRenewExample: {"  rekey renew 3f2a9c01\n" +
		"  rekey renew --all-expiring --yes --password-file тек.txt --new-password-file нов.txt",
		"  rekey renew 3f2a9c01\n" +
			"  rekey renew --all-expiring --yes --password-file cur.txt --new-password-file new.txt"},
	CmdSyncShort: {"приём-передача: отправить запросы, получить и установить сертификаты",
		"the mail exchange: send requests, receive and install certificates"},
	CmdSyncLong: {"Отправляет запросы из очереди (носитель действующего ключа должен быть подключён),\n" +
		"спрашивает о выдаче ожидаемых сертификатов, получает их, подтверждает, устанавливает\n" +
		"рядом с новым ключом и переносит прежний ключ в архив (им можно расшифровывать, но не\n" +
		"подписывать). Показывает новые сроки действия. Можно запускать повторно и из cron:\n" +
		"прерванный обмен продолжается с того шага, на котором остановился.",
		"Sends the queued requests (the current key's media must be present), asks for the\n" +
			"certificates awaited, receives and confirms them, installs each beside its new key and\n" +
			"archives the old key (it still decrypts, never signs). Shows the new validity. Safe to\n" +
			"run again and from cron: an interrupted exchange resumes at the step it reached."},
	CmdSyncExample: {"  rekey sync\n  rekey sync --password-file тек.txt --json",
		"  rekey sync\n  rekey sync --password-file cur.txt --json"},
	CmdBackupShort: {"резервная копия ключевого контейнера с проверкой",
		"a verified backup copy of a key container"},
	CmdBackupLong: {"Копирует контейнер ключа в указанный каталог и проверяет копию: расшифровывает ключ\n" +
		"и подписывает им пробное сообщение. Ключ на токене создан неизвлекаемым, и его копия\n" +
		"невозможна: команда объясняет почему.",
		"Copies the key's container into the directory given and verifies the copy: decrypts the\n" +
			"key and signs a test message with it. A key on a token was made non-extractable and\n" +
			"cannot be copied: the command explains why."},
	CmdBackupExample: {"  rekey backup 3f2a9c01 --to /media/user/BACKUP   # копия на другой носитель",
		"  rekey backup 3f2a9c01 --to /media/user/BACKUP   # a copy on another drive"},

	KeysHeader: {"КЛЮЧ\tСОСТОЯНИЕ\tПОСЛЕДНИЙ ДЕНЬ\tОСТАЛОСЬ\tОРГАНИЗАЦИЯ\tВЛАДЕЛЕЦ\tИНН\tНОСИТЕЛЬ",
		"KEY\tSTATE\tLAST DAY\tDAYS LEFT\tORGANIZATION\tHOLDER\tINN\tMEDIA"},
	KeysTokenMedia: {"token:%s (серийный номер %s)", "token:%s (serial %s)"},
	KeysNone:       {"ключей на носителях не найдено", "no keys found on the media"},
	KeysNoneHint: {"подключите носитель с ключами или укажите его каталог: --media КАТАЛОГ",
		"insert the media with the keys or name its directory: --media DIR"},
	KeysNoLastDay:  {"—", "-"},
	KeysMediaError: {"предупреждение: %s", "warning: %s"},
	RenewNoExpiring: {"ни один ключ не требует замены сейчас (истекающих ключей нет)",
		"no key needs renewal now (none is expiring)"},
	RenewSummary: {"Ключей поставлено в очередь: %d из %d", "Keys queued: %d of %d"},
	SyncNothing:  {"Обмен выполнен: отправлять и получать нечего", "Exchange done: nothing to send or receive"},
	SyncPending: {"Ключ %s: запрос %s, состояние: %s; следующая проверка не ранее %s",
		"Key %s: request %s, %s; next check not before %s"},
	SyncPendingErr: {"Ключ %s: запрос %s, состояние: %s; попыток связи: %d, последняя ошибка: %s",
		"Key %s: request %s, %s; failed attempts: %d, last error: %s"},
	SyncRenewedLine: {"Новый ключ %s (вместо %s) на %s действует до %s, дней: %d",
		"New key %s (replacing %s) on %s is valid until %s, %d days"},
	BackupCopied: {"Копия ключа %s: %s", "Copy of key %s: %s"},

	AskYesNo:          {"%s [д/Н]: ", "%s [y/N]: "},
	AskChoice:         {"Номер [1]: ", "Number [1]: "},
	AskBadChoice:      {"введите номер от 1 до %d", "enter a number from 1 to %d"},
	AskUnfinishedItem: {"  %s: %s %s, ключ %s, %s, с %s", "  %s: %s %s, key %s, %s, since %s"},
	AskMediaCurrent:   {"носитель действующего ключа", "the current key's media"},
	AskPINRetries:     {"%s (%s): ", "%s (%s): "},
	AskPINLow:         {"осталось мало попыток до блокировки PIN-кода", "few tries are left before the PIN locks"},
	AskPINFinal: {"осталась одна попытка: следующий неверный PIN-код заблокирует токен",
		"one try is left: the next wrong PIN locks the token"},
	AskPINLocked:      {"PIN-код заблокирован", "the PIN is locked"},
	AskPINUnknown:     {"токен не сообщает число оставшихся попыток", "the token does not say how many tries are left"},
	AskWrongPIN:       {"неверный PIN-код (попытка %d из %d)", "wrong PIN (attempt %d of %d)"},
	AskFormProfile:    {"Алгоритм нового ключа", "New key's algorithm"},
	AskFormLastDay:    {"Последний день действующего ключа", "Current key's last day"},
	AskPasswordExch:   {"Пароль действующего ключа %s (%s) для подписи обмена", "Password of the current key %s (%s), to sign the exchange"},
	AskPasswordBackup: {"Пароль ключа %s (%s) для проверки копии", "Password of key %s (%s), to verify the copy"},

	ErrNoTerminal: {"нужен ответ на вопрос «%s», а терминала нет",
		"the question «%s» needs an answer and there is no terminal"},
	HintNoTerminal: {"ответьте параметром: %s", "answer it with a flag: %s"},
	ErrRenewArgs: {"укажите ключи для замены (rekey renew КЛЮЧ…) или --all-expiring",
		"name the keys to renew (rekey renew KEY…) or give --all-expiring"},
	ErrSpoolDir: {"каталог исходящих и входящих сообщений: %s", "the outbox and inbox directory: %s"},
	HintSpoolDir: {"укажите его: --spool КАТАЛОГ или REKEY_SPOOL",
		"name it: --spool DIR or REKEY_SPOOL"},
	ErrCancelled: {"замена отменена", "the renewal is cancelled"},
	ErrKeyLastDay: {"ключ %s: сегодня последний день его действия, удалённая замена невозможна",
		"key %s: today is its last day, remote renewal is impossible"},
	ErrKeyExpired: {"ключ %s: срок действия истёк, удалённая замена невозможна",
		"key %s: it has expired, remote renewal is impossible"},
	HintOffice: {"замените ключ в офисе оператора: %s", "replace the key in the operator's office: %s"},
	HintClock: {"проверьте дату, время и часовой пояс компьютера (оператор принимает сообщения только с верным временем), затем снова выполните rekey renew",
		"check the computer's date, time and time zone (the operator accepts messages only with the right time), then run rekey renew again"},
	SubRefusedClock: {"Оператор отклонил замену ключа %s: %s. Ключ менять в офисе не нужно: проверьте дату, время и часовой пояс компьютера и повторите замену",
		"The operator refused to renew key %s: %s. The key need not be replaced in the office: check the computer's date, time and time zone and renew again"},
	ErrConfigFile: {"файл настроек %s: %s", "the settings file %s: %s"},
	HintConfigFile: {"исправьте или удалите его (поля: pkcs11 — модули токенов, media — каталоги носителей) или укажите другой в REKEY_CONFIG",
		"fix or remove it (its fields: pkcs11, token modules; media, media directories), or name another in REKEY_CONFIG"},
	SubRefusedOffice: {"Оператор отклонил замену ключа %s: %s.", "The operator refused to renew key %s: %s."},
	ErrKeyMedia:      {"ключ %s: носитель %s не подключён", "key %s: media %s is not present"},
	HintInsertMedia: {"подключите носитель и повторите; запрос остаётся в очереди",
		"insert the media and try again; the request stays queued"},
	ErrKeyPassword: {"ключ %s: неверный пароль или PIN-код", "key %s: wrong password or PIN"},
	HintKeyPassword: {"проверьте файл пароля (--password-file, --new-password-file) или введите пароль на терминале",
		"check the password file (--password-file, --new-password-file) or type the password on a terminal"},
	ErrKeyUnreachable: {"ключ %s: оператор %s недоступен (попытка %d): %s",
		"key %s: the operator %s cannot be reached (attempt %d): %s"},
	HintUnreachable: {"запрос остаётся в очереди; проверьте сеть и повторите rekey sync позже",
		"the request stays queued; check the network and run rekey sync again later"},
	ErrKeyNotNow: {"ключ %s: оператор %s сейчас не может ответить (попытка %d): %s",
		"key %s: the operator %s cannot answer now (attempt %d): %s"},
	HintNotNow: {"запрос остаётся в очереди и уйдёт снова при следующем обмене (rekey sync); если это повторяется, обратитесь к оператору",
		"the request stays queued and goes again with the next exchange (rekey sync); if this goes on, contact the operator"},
	ErrKeyRefused: {"ключ %s: оператор отклонил замену: %s", "key %s: the operator refused the renewal: %s"},
	ErrKeyPending: {"ключ %s: замена уже идёт", "key %s: its renewal is already under way"},
	HintKeyPending: {"выполните rekey sync, чтобы отправить запрос и получить сертификат",
		"run rekey sync to send the request and receive the certificate"},
	ErrKeyNotRenewable: {"ключ %s: заменить можно только действующий ключ с сертификатом",
		"key %s: only an active key with a certificate can be renewed"},
	ErrKeyNotFound: {"ключ %s не найден на подключённых носителях", "key %s is not on the media present"},
	HintKeyNotFound: {"rekey keys показывает ключи; подключите носитель или укажите --media КАТАЛОГ",
		"rekey keys lists the keys; insert the media or give --media DIR"},
	ErrKeyAmbiguous:  {"%q подходит к нескольким ключам", "%q matches several keys"},
	HintKeyAmbiguous: {"укажите больше цифр идентификатора (rekey keys)", "give more digits of the id (rekey keys)"},
	ErrNoAnswer:      {"нет ответа на вопрос: %s", "no answer to a question: %s"},
	ErrTokenNoBackup: {"ключ %s на токене скопировать нельзя: он неизвлекаемый",
		"key %s on a token cannot be copied: it is non-extractable"},
	ErrKeyOther:  {"ключ %s: %s", "key %s: %s"},
	ErrSpoolBusy: {"другой rekey сейчас работает с очередью %s", "another rekey is using the spool %s"},
	ErrPINLocked: {"PIN-код токена %s заблокирован", "the PIN of token %s is locked"},
	HintPINLocked: {"разблокируйте PIN-код PIN-кодом администратора токена или обратитесь в офис",
		"unlock the PIN with the token's SO PIN or contact the office"},
}

// init adds rekeyCatalogue to catalogue. A key already there keeps its
// first message; TestRekeyCatalogueMerged catches such a clash.
func init() {
	for k, m := range rekeyCatalogue {
		if _, dup := catalogue[k]; !dup {
			catalogue[k] = m
		}
	}
}
