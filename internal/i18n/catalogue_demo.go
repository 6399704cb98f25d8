package i18n

// Keys of rekey demo: its help, the titles of its steps (each names the
// requirements it shows), and what it says between the flow's own
// questions and notices, which are the Sub… and Ask… keys.
const (
	DemoCmdShort        Key = "demo.cmd.short"
	DemoCmdLong         Key = "demo.cmd.long"
	DemoCmdExample      Key = "demo.cmd.example"
	DemoFlagInteractive Key = "demo.flag.interactive"
	DemoFlagProfile     Key = "demo.flag.profile"
	DemoFlagDir         Key = "demo.flag.dir"

	DemoErrProfile      Key = "demo.err.profile"
	DemoErrNoTerminal   Key = "demo.err.no_terminal"
	DemoHintNoTerminal  Key = "demo.hint.no_terminal"
	DemoErrDir          Key = "demo.err.dir"
	DemoHintDir         Key = "demo.hint.dir"
	DemoErrNotEmpty     Key = "demo.err.not_empty"
	DemoErrStep         Key = "demo.err.step"
	DemoErrUnexpected   Key = "demo.err.unexpected"
	DemoErrClockStopped Key = "demo.err.clock_stopped"

	DemoTitle        Key = "demo.title"
	DemoScripted     Key = "demo.scripted"
	DemoInteractive  Key = "demo.interactive"
	DemoDirIntro     Key = "demo.dir.intro"
	DemoDirOperator  Key = "demo.dir.operator"
	DemoDirCAPass    Key = "demo.dir.ca_password"
	DemoDirDrive     Key = "demo.dir.drive"
	DemoDirBlank     Key = "demo.dir.blank"
	DemoDirSpool     Key = "demo.dir.spool"
	DemoDirPasswords Key = "demo.dir.passwords"
	DemoDirLogs      Key = "demo.dir.logs"

	DemoStepOperator    Key = "demo.step.operator"
	DemoStepEnroll      Key = "demo.step.enroll"
	DemoStepKeys        Key = "demo.step.keys"
	DemoStepLastDay     Key = "demo.step.last_day"
	DemoStepUnfinished  Key = "demo.step.unfinished"
	DemoStepChoose      Key = "demo.step.choose"
	DemoStepForm        Key = "demo.step.form"
	DemoStepMedia       Key = "demo.step.media"
	DemoStepNewPassword Key = "demo.step.new_password"
	DemoStepCurrentPass Key = "demo.step.current_password"
	DemoStepGenerated   Key = "demo.step.generated"
	DemoStepSend        Key = "demo.step.send"
	DemoStepPolicy      Key = "demo.step.policy"
	DemoStepQueue       Key = "demo.step.queue"
	DemoStepReceive     Key = "demo.step.receive"
	DemoStepArchive     Key = "demo.step.archive"
	DemoStepBackup      Key = "demo.step.backup"
	DemoStepAudit       Key = "demo.step.audit"
	DemoStepExplore     Key = "demo.step.explore"

	DemoOpInit        Key = "demo.op.init"
	DemoOpServe       Key = "demo.op.serve"
	DemoEnrollIntro   Key = "demo.enroll.intro"
	DemoEnrolled      Key = "demo.enrolled"
	DemoKeysIntro     Key = "demo.keys.intro"
	DemoReminderIntro Key = "demo.reminder.intro"
	DemoNoReminder    Key = "demo.no_reminder"
	DemoLastDayIntro  Key = "demo.last_day.intro"
	DemoLastDayOut    Key = "demo.last_day.out"
	DemoUnfinishedNo  Key = "demo.unfinished.none"
	DemoUnfinishedYes Key = "demo.unfinished.some"
	DemoChooseIntro   Key = "demo.choose.intro"
	DemoAnswerYes     Key = "demo.answer.yes"
	DemoPasswordHint  Key = "demo.password_hint"
	DemoGenerated     Key = "demo.generated"
	DemoGeneratedFile Key = "demo.generated.file"
	DemoPrivateStays  Key = "demo.private_stays"
	DemoSendIntro     Key = "demo.send.intro"
	DemoSendPending   Key = "demo.send.pending"
	DemoPolicyIntro   Key = "demo.policy.intro"
	DemoQueueIntro    Key = "demo.queue.intro"
	DemoQueueHeader   Key = "demo.queue.header"
	DemoApproved      Key = "demo.approved"
	DemoWaiting       Key = "demo.waiting"
	DemoReceiveIntro  Key = "demo.receive.intro"
	DemoNewCert       Key = "demo.new_cert"
	DemoKeysNow       Key = "demo.keys_now"
	DemoArchiveState  Key = "demo.archive.state"
	DemoArchiveSigns  Key = "demo.archive.no_sign"
	DemoArchiveMsg    Key = "demo.archive.message"
	DemoArchiveOK     Key = "demo.archive.decrypted"
	DemoBackupAdvice  Key = "demo.backup.advice"
	DemoBackupCmd     Key = "demo.backup.cmd"
	DemoAuditOK       Key = "demo.audit.ok"
	DemoCRLSigned     Key = "demo.crl.signed"
	DemoStopped       Key = "demo.stopped"
	DemoExploreIn     Key = "demo.explore.in"
	DemoExploreSource Key = "demo.explore.source"
	DemoExploreKeys   Key = "demo.explore.keys"
	DemoExploreCert   Key = "demo.explore.cert"
	DemoExploreCRL    Key = "demo.explore.crl"
	DemoExploreQueue  Key = "demo.explore.queue"
	DemoExploreSubs   Key = "demo.explore.subscribers"
	DemoExploreAudit  Key = "demo.explore.audit"
	DemoExploreBackup Key = "demo.explore.backup"
	DemoDone          Key = "demo.done"
)

// demoCatalogue holds the messages of the Key constants above; init merges
// it into catalogue.
var demoCatalogue = map[Key]message{
	DemoCmdShort: {"демонстрация: оператор и абонент с истекающим ключом на этом компьютере",
		"a demo: an operator and a subscriber with an expiring key, on this machine"},
	DemoCmdLong: {"Запускает оператора (rekeyd: УЦ, встроенная база SQLite, ручное одобрение) и абонента,\n" +
		"на носителе которого ключи двух организаций: одному осталось 20 дней, другому год. Затем\n" +
		"проходит удалённую замену ключа по шагам руководства и печатает каждый шаг с номером\n" +
		"требования (S1–S18, O1–O8): напоминание, форму, выбор носителя, создание ключа, запрос,\n" +
		"очередь оператора и одобрение, обмен, новые сроки, архив прежнего ключа, резервную копию.\n" +
		"Всё, что создано, остаётся во временном каталоге (или в --dir); в конце напечатаны команды,\n" +
		"которыми это можно посмотреть. Нужен только 127.0.0.1: ни сети, ни OpenSSL.\n\n" +
		"По умолчанию на вопросы отвечает сценарий и печатает каждый вопрос с ответом;\n" +
		"с --interactive отвечаете вы.",
		"Starts an operator (rekeyd: a CA, the embedded SQLite database, manual approval) and a\n" +
			"subscriber whose drive holds the keys of two organizations, one with 20 days left, one\n" +
			"with a year. Then walks through the manual's remote key renewal and prints each step with\n" +
			"the requirement it shows (S1–S18, O1–O8): the reminder, the form, the media choice, the\n" +
			"key generation, the request, the operator's queue and approval, the exchange, the new\n" +
			"validity, the archived old key, the backup. Everything it makes stays in a temporary\n" +
			"directory (or --dir); at the end it prints the commands to explore it. It needs only\n" +
			"127.0.0.1: no network, no OpenSSL.\n\n" +
			"By default a script answers the questions and prints each with its answer; with\n" +
			"--interactive you answer them."},
	DemoCmdExample: {"  rekey demo\n  rekey demo --interactive --lang ru\n  rekey demo --profile ecdsa-p256 --dir /tmp/демо",
		"  rekey demo\n  rekey demo --interactive --lang en\n  rekey demo --profile ecdsa-p256 --dir /tmp/demo"},
	DemoFlagInteractive: {"отвечать на вопросы самому (нужен терминал)",
		"answer the questions yourself (needs a terminal)"},
	DemoFlagProfile: {"алгоритмы: gost2012-256, gost2012-512 или ecdsa-p256",
		"the algorithm profile: gost2012-256, gost2012-512 or ecdsa-p256"},
	DemoFlagDir: {"новый или пустой каталог для всего, что создаёт демонстрация (по умолчанию — новый временный)",
		"a new or empty directory for everything the demo makes (default: a new temporary one)"},

	DemoErrProfile: {"неизвестный профиль %q", "unknown profile %q"},
	DemoErrNoTerminal: {"для --interactive нужен терминал, а стандартный ввод — не терминал",
		"--interactive needs a terminal and standard input is not one"},
	DemoHintNoTerminal: {"запустите без --interactive: на вопросы ответит сценарий",
		"run it without --interactive: a script answers the questions"},
	DemoErrDir:      {"каталог демонстрации %s: %s", "the demo directory %s: %s"},
	DemoErrNotEmpty: {"в нём уже что-то есть", "it is not empty"},
	DemoHintDir:     {"укажите новый или пустой каталог: --dir КАТАЛОГ", "name a new or empty directory: --dir DIR"},
	DemoErrStep:     {"демонстрация, шаг %s: %s", "demo, step %s: %s"},
	DemoErrUnexpected: {"демонстрация, шаг %s: ожидалось %s, получено %s",
		"demo, step %s: expected %s, got %s"},
	DemoErrClockStopped: {"часы не идут (задан REKEY_TEST_NOW?): сертификат нельзя дождаться",
		"the clock does not move (is REKEY_TEST_NOW set?): the certificate cannot be awaited"},

	DemoTitle: {"rekey demo: удалённая замена ключа подписи по шагам руководства (профиль %s)",
		"rekey demo: remote renewal of a signing key, step by step as the manual has it (profile %s)"},
	DemoScripted: {"На вопросы отвечает сценарий: каждый вопрос напечатан с ответом (ответить самому: --interactive).",
		"A script answers the questions: each is printed with its answer (to answer yourself: --interactive)."},
	DemoInteractive: {"На вопросы отвечаете вы. Пароли действующих ключей создала демонстрация, она их подскажет.",
		"You answer the questions. The demo made the current keys' passwords and tells them when asked."},
	DemoDirIntro:    {"Всё, что создаёт демонстрация, остаётся в %s:", "Everything the demo makes stays in %s:"},
	DemoDirOperator: {"  %s — оператор (rekeyd init): настройки, сертификат и ключ УЦ, база SQLite", "  %s — the operator (rekeyd init): config, CA certificate and key, SQLite database"},
	DemoDirCAPass:   {"  %s — пароль ключа УЦ (случайный)", "  %s — the CA key's password (random)"},
	DemoDirDrive:    {"  %s — флешка абонента с ключами двух организаций", "  %s — the subscriber's drive with the keys of two organizations"},
	DemoDirBlank:    {"  %s — вторая, чистая флешка", "  %s — a second, blank drive"},
	DemoDirSpool:    {"  %s — исходящие и входящие абонента", "  %s — the subscriber's outbox and inbox"},
	DemoDirPasswords: {"  %s — пароли ключей (случайные; настоящий абонент их помнит)",
		"  %s — the keys' passwords (random; a real subscriber remembers them)"},
	DemoDirLogs: {"  %s, %s — журналы rekeyd и rekey", "  %s, %s — the logs of rekeyd and rekey"},

	DemoStepOperator:    {"Оператор: УЦ запускается", "The operator: the CA starts"},
	DemoStepEnroll:      {"В офисе оператора: первые ключи двух организаций", "In the operator's office: the first keys of two organizations"},
	DemoStepKeys:        {"Ключи абонента и напоминание при запуске", "The subscriber's keys and the reminder at start-up"},
	DemoStepLastDay:     {"В последний день действия ключа удалённая замена невозможна", "On a key's last day remote renewal is impossible"},
	DemoStepUnfinished:  {"Сначала — незавершённый документооборот", "First, the unfinished exchanges"},
	DemoStepChoose:      {"Выбор ключа для замены", "Choosing the key to replace"},
	DemoStepForm:        {"Форма запроса, заполненная из действующего сертификата", "The request form, filled from the current certificate"},
	DemoStepMedia:       {"Выбор носителя для нового ключа", "Where the new key goes"},
	DemoStepNewPassword: {"Пароль нового контейнера, дважды", "The new container's password, twice"},
	DemoStepCurrentPass: {"Пароль действующего ключа: им подписывается запрос", "The current key's password: it signs the request"},
	DemoStepGenerated:   {"Новый ключ создан на носителе", "The new key is made on the media"},
	DemoStepSend:        {"Приём-передача почты отправляет запрос", "The mail exchange sends the request"},
	DemoStepPolicy:      {"Политика оператора принимает запрос", "The operator's policy accepts the request"},
	DemoStepQueue:       {"Очередь оператора и одобрение", "The operator's queue and approval"},
	DemoStepReceive:     {"Следующий обмен получает сертификат", "The next exchange receives the certificate"},
	DemoStepArchive:     {"Прежний ключ в архиве и по-прежнему расшифровывает", "The old key is archived and still decrypts"},
	DemoStepBackup:      {"Резервная копия нового ключа", "A backup of the new key"},
	DemoStepAudit:       {"Журнал аудита и список отозванных сертификатов", "The audit trail and the revocation list"},
	DemoStepExplore:     {"Что посмотреть дальше", "What to explore next"},

	DemoOpInit: {"rekeyd init: профиль %s, одобрение %s, УЦ «%s», сертификат УЦ %s действует до %s",
		"rekeyd init: profile %s, approval %s, CA «%s», CA certificate %s valid until %s"},
	DemoOpServe: {"rekeyd serve: CMP по адресу %s", "rekeyd serve: CMP at %s"},
	DemoEnrollIntro: {"rekeyd enroll --media создаёт ключ на флешке абонента и выпускает сертификат (O6, в офисе):",
		"rekeyd enroll --media makes the key on the subscriber's drive and issues its certificate (O6, in the office):"},
	DemoEnrolled: {"  %s: ключ %s, сертификат %s действует до %s (осталось %s)",
		"  %s: key %s, certificate %s valid until %s (%s left)"},
	DemoKeysIntro: {"Ключ действует один год (S1). rekey keys --media %s:",
		"A key is valid for one year (S1). rekey keys --media %s:"},
	DemoReminderIntro: {"Каждая команда rekey сначала напоминает о ключах, которым осталось 30 дней или меньше (S4):",
		"Every rekey command first reminds of the keys with 30 days or less left (S4):"},
	DemoNoReminder: {"ни одному ключу не осталось 30 дней или меньше", "no key has 30 days or less left"},
	DemoLastDayIntro: {"Если бы абонент дождался %s — последнего дня ключа %s, — rekey renew ответил бы так (часы клиента переведены на этот день):",
		"Had the subscriber waited until %s, key %s's last day, rekey renew would answer (the client's clock set to that day):"},
	DemoLastDayOut: {"  | %s", "  | %s"},
	DemoUnfinishedNo: {"В исходящих и входящих (%s) незавершённого обмена нет, поэтому замена продолжается без вопроса. Иначе rekey renew перечислил бы их и спросил, продолжать ли: подтверждения, зашифрованные на прежний ключ, новым ключом не расшифровать.",
		"The outbox and inbox (%s) hold no unfinished exchange, so the renewal goes on without asking. Otherwise rekey renew would list them and ask whether to go on: confirmations encrypted to the old key cannot be decrypted with the new one."},
	DemoUnfinishedYes: {"Незавершённых обменов: %d; rekey renew перечислит их и спросит, продолжать ли.",
		"Unfinished exchanges: %d; rekey renew lists them and asks whether to go on."},
	DemoChooseIntro: {"Абонент выбирает в списке ключ %s (%s, осталось %s) и запускает замену:",
		"The subscriber selects key %s (%s, %s left) in the list and starts its replacement:"},
	DemoAnswerYes: {"д", "y"},
	DemoPasswordHint: {"(пароль ключа %s создала демонстрация: %s)",
		"(the demo made key %s's password: %s)"},
	DemoGenerated: {"Ключ %s создан генератором случайных чисел операционной системы (crypto/rand, S9) и записан на %s, ожидает сертификата:",
		"Key %s was generated with the operating system's random number generator (crypto/rand, S9) and written to %s, waiting for its certificate:"},
	DemoGeneratedFile: {"  %s: состояние %s, профиль %s, заменяет %s, ключ зашифрован паролем: %t",
		"  %s: state %s, profile %s, replaces %s, key encrypted with the password: %t"},
	DemoPrivateStays: {"Закрытый ключ не покидает носитель (S2): в запросе только открытый ключ и доказательство владения, подписанные действующим ключом.",
		"The private key never leaves the media (S2): the request carries only the public key and the proof of possession, signed with the current key."},
	DemoSendIntro: {"rekey sync (носитель с действующим ключом подключён):",
		"rekey sync (the media with the current key present):"},
	DemoSendPending: {"Запрос %s ключа %s: %s, оператор просит проверить не ранее %s",
		"Request %s of key %s: %s, the operator asks to check back after %s"},
	DemoPolicyIntro: {"O1: подписан действующим ключом абонента, не отозванным и не в последний день; O2: данные владельца не изменились; O3: доказательство владения новым ключом верно, ключ новый. Решение записано в журнал аудита:",
		"O1: signed with the subscriber's current key, valid, unrevoked, not on its last day; O2: the holder's details unchanged; O3: the proof of possession verifies and the key is new. The decision is in the audit trail:"},
	DemoQueueIntro: {"Одобрение ручное: запрос ждёт оператора. rekeyd requests --dir %s:",
		"Approval is manual: the request waits for the operator. rekeyd requests --dir %s:"},
	DemoQueueHeader: {"НОМЕР\tСОСТОЯНИЕ\tАБОНЕНТ\tПОЛУЧЕН\tВОЗРАСТ", "ID\tSTATE\tSUBSCRIBER\tRECEIVED\tAGE"},
	DemoApproved: {"rekeyd approve %d: запрос одобрен (%s); сертификат выпускается при следующем обмене абонента",
		"rekeyd approve %d: the request is approved (%s); the certificate is issued at the subscriber's next exchange"},
	DemoWaiting: {"Ждём %s — срока, который назвал оператор…", "Waiting %s, the time the operator asked for…"},
	DemoReceiveIntro: {"rekey sync: запрос о выдаче (pollReq), получение, подтверждение (certConf), установка:",
		"rekey sync: the poll (pollReq), the certificate, its confirmation (certConf), the installation:"},
	DemoNewCert: {"Новый сертификат %s ключа %s: действует с %s по %s; подписывать ключом можно до %s (осталось %s)",
		"New certificate %s of key %s: valid from %s to %s; the key may sign until %s (%s left)"},
	DemoKeysNow: {"Ключи теперь, rekey keys --media %s:", "The keys now, rekey keys --media %s:"},
	DemoArchiveState: {"Ключ %s теперь %s; его преемник — %s.",
		"Key %s is now %s; its successor is %s."},
	DemoArchiveSigns: {"Подписать им нельзя: носитель отказывает (ключ в архиве).",
		"It cannot sign: the media refuses (the key is archived)."},
	DemoArchiveMsg: {"Квитанция о приёме отчёта, зашифрованная на сертификат %s",
		"A receipt for a report, encrypted to certificate %s"},
	DemoArchiveOK: {"Сообщение, зашифрованное на прежний сертификат %s (как подтверждение, отправленное до замены), расшифровано прежним ключом: «%s»",
		"A message encrypted to the old certificate %s (as a confirmation sent before the renewal) decrypts with the old key: «%s»"},
	DemoBackupAdvice: {"Храните копию ключевого контейнера на другом носителе; rekey backup проверяет копию: расшифровывает ключ и подписывает им. Ключ на токене неизвлекаем, его не скопировать.",
		"Keep a copy of the key container on another drive; rekey backup verifies the copy by decrypting the key and signing with it. A key on a token is non-extractable and cannot be copied."},
	DemoBackupCmd:     {"rekey backup %s --to %s (копия с проверкой):", "rekey backup %s --to %s (a verified copy):"},
	DemoAuditOK:       {"rekeyd audit verify: цепочка из %d записей цела", "rekeyd audit verify: the chain of %d records is intact"},
	DemoCRLSigned:     {"rekeyd crl --out %s: список отозванных подписан, %s", "rekeyd crl --out %s: the revocation list is signed, %s"},
	DemoStopped:       {"Оператор остановлен; всё осталось в %s.", "The operator is stopped; everything stays in %s."},
	DemoExploreIn:     {"В каталоге исходного кода rekey (%s):", "In rekey's source directory (%s):"},
	DemoExploreSource: {"В каталоге исходного кода rekey:", "In rekey's source directory:"},
	DemoExploreKeys:   {"  # ключи на флешке: новый действует, прежний в архиве", "  # the keys on the drive: the new one valid, the old one archived"},
	DemoExploreCert:   {"  # новый сертификат, проверенный по сертификату УЦ", "  # the new certificate, checked against the CA's"},
	DemoExploreCRL:    {"  # список отозванных сертификатов", "  # the certificate revocation list"},
	DemoExploreQueue:  {"  # очередь оператора: запрос выполнен", "  # the operator's queue: the request done"},
	DemoExploreSubs:   {"  # абоненты и последние дни их ключей", "  # the subscribers and their keys' last days"},
	DemoExploreAudit:  {"  # цепочка журнала аудита", "  # the audit chain"},
	DemoExploreBackup: {"  # резервная копия", "  # the backup copy"},
	DemoDone:          {"Демонстрация завершена.", "The demo is finished."},
}

// init adds demoCatalogue to catalogue. A key already there keeps its
// first message; TestDemoCatalogueMerged catches such a clash.
func init() {
	for k, m := range demoCatalogue {
		if _, dup := catalogue[k]; !dup {
			catalogue[k] = m
		}
	}
}
