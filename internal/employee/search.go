package employee

import (
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"github.com/renshi/renshi/internal/platform/validate"
)

// The roster search matches what people type by prefix against tokens
// stored per employee: the name, the given name, the pinyin in full
// (zhangsan) and of the given name (san), the initials (zs), the English
// name's words, the employee number, the mobile and the email. Tokens are
// stored hex-encoded: a prefix of the text is a prefix of the hex, and hex
// digits sort the same under every database collation, so the range scan
// token >= p AND token < p||'g' finds exactly the tokens starting with p.

// compoundSurnames are two-character surnames with their readings.
var compoundSurnames = map[string][]string{
	"欧阳": {"ou", "yang"}, "司马": {"si", "ma"}, "诸葛": {"zhu", "ge"}, "上官": {"shang", "guan"}, "尉迟": {"yu", "chi"},
	"万俟": {"mo", "qi"}, "长孙": {"zhang", "sun"}, "皇甫": {"huang", "fu"}, "东方": {"dong", "fang"}, "公孙": {"gong", "sun"},
	"慕容": {"mu", "rong"}, "夏侯": {"xia", "hou"}, "宇文": {"yu", "wen"}, "令狐": {"ling", "hu"}, "端木": {"duan", "mu"},
	"司徒": {"si", "tu"}, "司空": {"si", "kong"}, "南宫": {"nan", "gong"}, "西门": {"xi", "men"}, "呼延": {"hu", "yan"},
	"独孤": {"du", "gu"}, "轩辕": {"xuan", "yuan"}, "钟离": {"zhong", "li"}, "闻人": {"wen", "ren"}, "赫连": {"he", "lian"},
	"太史": {"tai", "shi"}, "申屠": {"shen", "tu"}, "濮阳": {"pu", "yang"}, "淳于": {"chun", "yu"}, "单于": {"chan", "yu"},
	"澹台": {"tan", "tai"}, "拓跋": {"tuo", "ba"}, "百里": {"bai", "li"}, "东郭": {"dong", "guo"}, "公羊": {"gong", "yang"},
	"闾丘": {"lv", "qiu"}, "羊舌": {"yang", "she"}, "第五": {"di", "wu"}, "亓官": {"qi", "guan"}, "左丘": {"zuo", "qiu"},
}

// surnameReadings are surnames read differently from the character's
// most common reading (单 is dan in 单位 but Shan as a surname).
var surnameReadings = map[rune]string{
	'单': "shan", '曾': "zeng", '区': "ou", '仇': "qiu", '解': "xie", '查': "zha", '朴': "piao", '盖': "ge",
	'翟': "zhai", '秘': "bi", '乐': "yue", '缪': "miao", '尉': "wei", '覃': "qin", '种': "chong", '召': "shao",
	'繁': "po", '员': "yun", '句': "gou", '能': "nai", '都': "du", '柏': "bai", '阚': "kan", '莘': "shen",
	'谌': "chen", '过': "guo", '牟': "mou", '祭': "zhai", '郇': "huan", '眭': "sui", '冼': "xian", '燕': "yan",
	'宁': "ning", '重': "chong", '任': "ren", '沈': "shen", '石': "shi", '薄': "bo", '华': "hua", '纪': "ji",
	'车': "che", '贾': "jia", '藏': "zang", '相': "xiang", '折': "she", '隗': "wei", '蕃': "pi", '亓': "qi",
	'洗': "xian", '卜': "bu", '曲': "qu", '尹': "yin", '葛': "ge", '朝': "chao", '长': "chang", '盛': "sheng",
	'蔺': "lin", '佘': "she", '褚': "chu", '隽': "juan",
}

var (
	pinyinArgs  = pinyin.Args{Style: pinyin.Normal}
	pinyinMu    sync.RWMutex
	pinyinCache = map[rune]string{}
)

// runePinyin is the tone-less reading of a Han character ("" for others),
// cached: the library's per-call work dominates bulk indexing.
func runePinyin(r rune) string {
	pinyinMu.RLock()
	p, ok := pinyinCache[r]
	pinyinMu.RUnlock()
	if ok {
		return p
	}
	if unicode.Is(unicode.Han, r) {
		if ps := pinyin.SinglePinyin(r, pinyinArgs); len(ps) > 0 {
			p = ps[0]
		}
	}
	pinyinMu.Lock()
	pinyinCache[r] = p
	pinyinMu.Unlock()
	return p
}

// Name is a person's name split for search and sorting.
type Name struct {
	Surname, Given               string   // 张, 三
	SurnameSyllables, GivenSylls []string // [zhang], [san]
}

// SplitName splits a Chinese name into surname and given name (compound
// surnames are recognised when at least one character follows) and reads
// both in pinyin, the surname with its surname reading. Letters and digits
// stand for themselves, lower-cased; other characters are dropped.
func SplitName(name string) Name {
	name = strings.TrimSpace(name)
	runes := []rune(name)
	var n Name
	if len(runes) == 0 {
		return n
	}
	if !unicode.Is(unicode.Han, runes[0]) {
		// A Latin name: no surname split; each word reads as itself.
		n.Given = strings.ToLower(name)
		n.GivenSylls = latinWords(name)
		return n
	}
	cut := 1
	if len(runes) >= 3 {
		if r, ok := compoundSurnames[string(runes[:2])]; ok {
			cut = 2
			n.SurnameSyllables = append([]string(nil), r...)
		}
	}
	n.Surname, n.Given = string(runes[:cut]), string(runes[cut:])
	if cut == 1 {
		if r, ok := surnameReadings[runes[0]]; ok {
			n.SurnameSyllables = []string{r}
		} else {
			n.SurnameSyllables = readings(runes[:1])
		}
	}
	n.GivenSylls = readings(runes[cut:])
	return n
}

func readings(rs []rune) []string {
	var out []string
	var latin []rune
	flush := func() {
		if len(latin) > 0 {
			out = append(out, strings.ToLower(string(latin)))
			latin = latin[:0]
		}
	}
	for _, r := range rs {
		if p := runePinyin(r); p != "" {
			flush()
			out = append(out, p)
		} else if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			latin = append(latin, r)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func latinWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Pinyin is the full reading without spaces ("zhangsan").
func (n Name) Pinyin() string {
	return strings.Join(n.SurnameSyllables, "") + strings.Join(n.GivenSylls, "")
}

// Initials are the first letters of every syllable ("zs").
func (n Name) Initials() string {
	var b strings.Builder
	for _, s := range append(append([]string(nil), n.SurnameSyllables...), n.GivenSylls...) {
		if s != "" {
			b.WriteByte(s[0])
		}
	}
	return b.String()
}

// SortKey orders names by pinyin (then by the characters).
func SortKey(name string) string {
	n := SplitName(name)
	return n.Pinyin() + " " + strings.ToLower(name)
}

// maxToken bounds a token's length in characters.
const maxToken = 40

// SearchTokens lists the plain (not yet encoded) tokens of a record.
func SearchTokens(name, englishName, employeeNo, mobile, email string) []string {
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			return
		}
		if r := []rune(s); len(r) > maxToken {
			s = string(r[:maxToken])
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	n := SplitName(name)
	add(strings.ReplaceAll(name, " ", ""))
	if n.Surname != "" {
		add(n.Given)
	}
	add(n.Pinyin())
	add(strings.Join(n.GivenSylls, ""))
	if len(n.SurnameSyllables)+len(n.GivenSylls) > 1 {
		add(n.Initials())
	}
	for _, w := range latinWords(englishName) {
		add(w)
	}
	add(employeeNo)
	add(mobile)
	add(email)
	return out
}

// EncodeToken turns a plain token into its stored form.
func EncodeToken(s string) string { return hex.EncodeToString([]byte(s)) }

// TokenRange is the range of stored tokens starting with the plain prefix.
func TokenRange(prefix string) (lo, hi string) {
	lo = EncodeToken(prefix)
	return lo, lo + "g"
}

// maxTerms bounds how many words of a query are matched.
const maxTerms = 4

// QueryTerms splits a search query into normalised terms (each must
// match, by prefix, a token of the employee).
func QueryTerms(q string) []string {
	q = strings.ToLower(validate.Normalize(q))
	var out []string
	for _, t := range strings.Fields(q) {
		if r := []rune(t); len(r) > maxToken {
			t = string(r[:maxToken])
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
		if len(out) == maxTerms {
			break
		}
	}
	return out
}
