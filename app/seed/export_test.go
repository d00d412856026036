package seed

// KeepTriggers lets the external tests run the scale seed with foreign-key
// triggers on, as a non-superuser role would.
func KeepTriggers(on bool) { keepTriggers = on }
