// Package demo builds a realistic demo company: legal entities, a
// department tree, positions and grades, and employees with Chinese names,
// valid ID numbers, hire dates over ten years, resignations and contracts.
package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/renshi/renshi/internal/platform/civil"
)

// Person is a generated individual.
type Person struct {
	Name     string
	Male     bool
	Birth    civil.Date
	IDNumber string
	Mobile   string
	Email    string
}

// Surnames by rough frequency (the hundred most common cover ~85% of
// people). Heteronym surnames such as 单 (Shan) and 曾 (Zeng) are included
// on purpose: search must find them by their surname reading.
var surnames = []struct {
	s  string
	py string
	w  int
}{
	{"王", "wang", 70}, {"李", "li", 70}, {"张", "zhang", 65}, {"刘", "liu", 53}, {"陈", "chen", 45},
	{"杨", "yang", 32}, {"黄", "huang", 25}, {"赵", "zhao", 20}, {"吴", "wu", 20}, {"周", "zhou", 19},
	{"徐", "xu", 15}, {"孙", "sun", 15}, {"马", "ma", 13}, {"朱", "zhu", 13}, {"胡", "hu", 12},
	{"郭", "guo", 11}, {"何", "he", 10}, {"林", "lin", 10}, {"高", "gao", 10}, {"罗", "luo", 9},
	{"郑", "zheng", 9}, {"梁", "liang", 8}, {"谢", "xie", 7}, {"宋", "song", 7}, {"唐", "tang", 6},
	{"许", "xu", 6}, {"韩", "han", 6}, {"冯", "feng", 6}, {"邓", "deng", 6}, {"曹", "cao", 5},
	{"彭", "peng", 5}, {"曾", "zeng", 5}, {"肖", "xiao", 5}, {"田", "tian", 4}, {"董", "dong", 4},
	{"潘", "pan", 4}, {"袁", "yuan", 4}, {"蔡", "cai", 4}, {"蒋", "jiang", 4}, {"余", "yu", 4},
	{"于", "yu", 4}, {"杜", "du", 4}, {"叶", "ye", 4}, {"程", "cheng", 4}, {"魏", "wei", 3},
	{"苏", "su", 3}, {"吕", "lv", 3}, {"丁", "ding", 3}, {"任", "ren", 3}, {"卢", "lu", 3},
	{"姚", "yao", 3}, {"沈", "shen", 3}, {"钟", "zhong", 3}, {"姜", "jiang", 3}, {"崔", "cui", 3},
	{"谭", "tan", 3}, {"陆", "lu", 3}, {"范", "fan", 2}, {"汪", "wang", 2}, {"廖", "liao", 2},
	{"石", "shi", 2}, {"金", "jin", 2}, {"韦", "wei", 2}, {"贾", "jia", 2}, {"夏", "xia", 2},
	{"付", "fu", 2}, {"方", "fang", 2}, {"邹", "zou", 2}, {"熊", "xiong", 2}, {"白", "bai", 2},
	{"孟", "meng", 2}, {"秦", "qin", 2}, {"邱", "qiu", 2}, {"侯", "hou", 2}, {"江", "jiang", 2},
	{"单", "shan", 1}, {"仇", "qiu", 1}, {"解", "xie", 1}, {"区", "ou", 1}, {"翟", "zhai", 1},
	{"欧阳", "ouyang", 1}, {"司马", "sima", 1}, {"诸葛", "zhuge", 1}, {"上官", "shangguan", 1},
}

// Given-name characters without common second readings, so their pinyin
// is unambiguous.
var (
	givenMale   = []rune("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志峰海滨博文昊天成宏")
	givenFemale = []rune("芳娜敏静丽艳娟霞秀玲桂英红梅琳燕萍雪婷颖倩琪晶妍欣怡佳悦璐露蕾月慧瑶茜薇晴菲洁雯")
)

// County codes (the first six digits of an ID number) from several
// provinces.
var regions = []string{
	"110101", "110105", "310101", "310115", "440103", "440305", "330106", "320102", "510104", "420102",
	"610103", "350102", "370102", "430102", "410105", "120101", "500103", "210102", "340104", "360102",
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// People generates reproducible people.
type People struct {
	rng   *rand.Rand
	total int
	used  map[string]bool // ID numbers handed out
}

// NewPeople returns a generator seeded for reproducible output.
func NewPeople(seed uint64) *People {
	total := 0
	for _, s := range surnames {
		total += s.w
	}
	return &People{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), total: total, used: map[string]bool{}}
}

// Person i: the index makes ID numbers, mobiles and emails unique.
func (g *People) Person(i int, today civil.Date) Person {
	male := g.rng.IntN(2) == 0
	name := g.surname()
	pool := givenFemale
	if male {
		pool = givenMale
	}
	for n := 1 + g.rng.IntN(2); n > 0; n-- {
		name += string(pool[g.rng.IntN(len(pool))])
	}
	age := 20 + g.rng.IntN(40)
	birth := today.AddYears(-age).AddDays(-g.rng.IntN(365))
	id := IDNumber(regions[i%len(regions)], birth, i, male)
	for k := 1; g.used[id]; k++ { // same region, day and order: take the next order
		id = IDNumber(regions[i%len(regions)], birth, i+k*len(regions), male)
	}
	g.used[id] = true
	return Person{
		Name: name, Male: male, Birth: birth,
		IDNumber: id,
		Mobile:   fmt.Sprintf("1%d%09d", []int{30, 35, 36, 37, 38, 39, 50, 58, 59, 86, 88, 89}[i%12], (i*7919)%1000000000)[:11],
		Email:    fmt.Sprintf("e%06d@demo.renshi.dev", i),
	}
}

func (g *People) surname() string {
	n := g.rng.IntN(g.total)
	for _, s := range surnames {
		if n < s.w {
			return s.s
		}
		n -= s.w
	}
	return "王"
}

// IDNumber builds a valid 18-character resident ID: region, birth date, a
// sequence whose last digit is odd for men, and the check character.
// seq makes numbers unique across people born on one day in one region.
func IDNumber(region string, birth civil.Date, seq int, male bool) string {
	order := (seq / len(regions)) % 500 * 2 // even
	if male {
		order++
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year, birth.Month, birth.Day, order%1000)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return body + string(idCheck[sum%11])
}
