module rekey

go 1.26
