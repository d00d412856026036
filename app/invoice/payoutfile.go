package invoice

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"partnerportal/app/money"
)

// Transfer is one payment of a payout file.
type Transfer struct {
	InvoiceNumber string
	Partner       string
	Method        string
	Currency      string
	AmountMinor   int64
	Details       Details
	Missing       bool // payout details missing or unreadable
}

// WriteCSV is the payout file every batch has: one row per invoice.
func WriteCSV(ts []Transfer) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"invoice", "partner", "method", "currency", "amount", "account_holder", "iban", "bic", "paypal", "status"})
	for _, t := range ts {
		status := "ready"
		if t.Missing {
			status = "payout details missing"
		}
		_ = w.Write([]string{csvSafe(t.InvoiceNumber), csvSafe(t.Partner), t.Method, t.Currency, money.Input(t.AmountMinor, t.Currency),
			csvSafe(t.Details.Holder), t.Details.IBAN, t.Details.BIC, csvSafe(t.Details.PayPal), status})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SEPAEligible reports whether a transfer goes into the SEPA file: EUR, by
// bank transfer, with an IBAN.
func SEPAEligible(t Transfer) bool {
	return t.Currency == "EUR" && t.Method == MethodBank && !t.Missing && t.Details.IBAN != ""
}

// Debtor is the vendor paying out.
type Debtor struct {
	Name, IBAN, BIC string
}

// pain.001.001.10 (ISO 20022 customer credit transfer initiation), the
// elements a SEPA credit transfer needs, in schema order.
type painDocument struct {
	XMLName xml.Name `xml:"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10 Document"`
	Init    painInit `xml:"CstmrCdtTrfInitn"`
}

type painInit struct {
	GrpHdr painGrpHdr `xml:"GrpHdr"`
	PmtInf painPmtInf `xml:"PmtInf"`
}

type painGrpHdr struct {
	MsgID    string    `xml:"MsgId"`
	CreDtTm  string    `xml:"CreDtTm"`
	NbOfTxs  string    `xml:"NbOfTxs"`
	CtrlSum  string    `xml:"CtrlSum"`
	InitgPty painParty `xml:"InitgPty"`
}

type painParty struct {
	Nm string `xml:"Nm"`
}

type painAccount struct {
	IBAN string `xml:"Id>IBAN"`
}

type painAgent struct {
	BICFI string     `xml:"FinInstnId>BICFI,omitempty"`
	Othr  *painOthId `xml:"FinInstnId>Othr,omitempty"`
}

type painOthId struct {
	ID string `xml:"Id"`
}

type painPmtInf struct {
	PmtInfID    string       `xml:"PmtInfId"`
	PmtMtd      string       `xml:"PmtMtd"`
	BtchBookg   bool         `xml:"BtchBookg"`
	NbOfTxs     string       `xml:"NbOfTxs"`
	CtrlSum     string       `xml:"CtrlSum"`
	SvcLvl      string       `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string       `xml:"ReqdExctnDt>Dt"`
	Dbtr        painParty    `xml:"Dbtr"`
	DbtrAcct    painAccount  `xml:"DbtrAcct"`
	DbtrAgt     painAgent    `xml:"DbtrAgt"`
	ChrgBr      string       `xml:"ChrgBr"`
	Txs         []painCdtTrf `xml:"CdtTrfTxInf"`
}

type painAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type painCdtTrf struct {
	EndToEndID string      `xml:"PmtId>EndToEndId"`
	Amt        painAmount  `xml:"Amt>InstdAmt"`
	CdtrAgt    *painAgent  `xml:"CdtrAgt,omitempty"`
	Cdtr       painParty   `xml:"Cdtr"`
	CdtrAcct   painAccount `xml:"CdtrAcct"`
	Ustrd      string      `xml:"RmtInf>Ustrd"`
}

// WriteSEPA makes a pain.001.001.10 SEPA credit transfer file for the
// eligible transfers (see SEPAEligible); an error when there are none or the
// debtor's account is not set.
func WriteSEPA(msgID string, d Debtor, created, execute time.Time, ts []Transfer) ([]byte, error) {
	if d.IBAN == "" || d.Name == "" {
		return nil, fmt.Errorf("the vendor's legal name and IBAN are needed for a SEPA file (console → Program → Invoicing)")
	}
	var txs []painCdtTrf
	var sum int64
	for _, t := range ts {
		if !SEPAEligible(t) {
			continue
		}
		tx := painCdtTrf{EndToEndID: sepaText(t.InvoiceNumber, 35), Amt: painAmount{Ccy: "EUR", Value: money.Input(t.AmountMinor, "EUR")},
			Cdtr: painParty{Nm: sepaText(firstNonEmpty(t.Details.Holder, t.Partner), 70)}, CdtrAcct: painAccount{IBAN: t.Details.IBAN},
			Ustrd: sepaText("Self-billing invoice "+t.InvoiceNumber, 140)}
		if t.Details.BIC != "" {
			tx.CdtrAgt = &painAgent{BICFI: t.Details.BIC}
		}
		txs = append(txs, tx)
		sum += t.AmountMinor
	}
	if len(txs) == 0 {
		return nil, fmt.Errorf("no EUR invoice paid by bank transfer in this batch")
	}
	n := strconv.Itoa(len(txs))
	ctrl := money.Input(sum, "EUR")
	agent := painAgent{BICFI: d.BIC}
	if d.BIC == "" {
		agent = painAgent{Othr: &painOthId{ID: "NOTPROVIDED"}}
	}
	doc := painDocument{Init: painInit{
		GrpHdr: painGrpHdr{MsgID: sepaText(msgID, 35), CreDtTm: created.UTC().Format("2006-01-02T15:04:05"), NbOfTxs: n, CtrlSum: ctrl,
			InitgPty: painParty{Nm: sepaText(d.Name, 70)}},
		PmtInf: painPmtInf{PmtInfID: sepaText(msgID, 35), PmtMtd: "TRF", BtchBookg: true, NbOfTxs: n, CtrlSum: ctrl, SvcLvl: "SEPA",
			ReqdExctnDt: execute.Format("2006-01-02"), Dbtr: painParty{Nm: sepaText(d.Name, 70)}, DbtrAcct: painAccount{IBAN: d.IBAN},
			DbtrAgt: agent, ChrgBr: "SLEV", Txs: txs},
	}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// sepaText keeps to the SEPA character set (EPC: Latin letters, digits and
// / - ? : ( ) . , ' + space): accents are dropped ("Zoë Müller-Łukasiewicz"
// becomes "Zoe Muller-Lukasiewicz"), anything else becomes a space.
func sepaText(s string, max int) string {
	repl := map[rune]string{'ł': "l", 'Ł': "L", 'ß': "ss", 'ø': "o", 'Ø': "O", 'æ': "ae", 'Æ': "AE", 'đ': "d", 'Đ': "D", '&': "+"}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if x, ok := repl[r]; ok {
			b.WriteString(x)
			continue
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/-?:().,'+ ", r)) {
			b.WriteRune(r)
		} else {
			b.WriteRune(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > max {
		out = out[:max]
	}
	return out
}
