package employeetest

import (
	"fmt"
	"math/rand/v2"

	"github.com/renshi/renshi/internal/platform/civil"
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDNumber builds a valid resident ID number: region code, birth date,
// a three-digit order (odd for men) and the check character.
func IDNumber(region string, birth civil.Date, order int, male bool) string {
	order = order % 500 * 2
	if male {
		order++
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year, birth.Month, birth.Day, order)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return body + string("10X98765432"[sum%11])
}

// Surnames weighted roughly by frequency (per thousand people).
var surnames = []struct {
	s string
	w int
}{
	{"王", 71}, {"李", 70}, {"张", 66}, {"刘", 54}, {"陈", 45}, {"杨", 31}, {"黄", 22}, {"赵", 21}, {"吴", 20}, {"周", 19},
	{"徐", 16}, {"孙", 15}, {"马", 14}, {"朱", 13}, {"胡", 13}, {"郭", 12}, {"何", 12}, {"高", 11}, {"林", 11}, {"罗", 10},
	{"郑", 10}, {"梁", 9}, {"谢", 8}, {"宋", 7}, {"唐", 7}, {"许", 7}, {"韩", 6}, {"冯", 6}, {"邓", 6}, {"曹", 6},
	{"彭", 5}, {"曾", 5}, {"肖", 5}, {"田", 5}, {"董", 5}, {"袁", 5}, {"潘", 5}, {"于", 5}, {"蒋", 5}, {"蔡", 5},
	{"余", 5}, {"杜", 5}, {"叶", 4}, {"程", 4}, {"苏", 4}, {"魏", 4}, {"吕", 4}, {"丁", 4}, {"任", 4}, {"沈", 4},
	{"单", 1}, {"仇", 1}, {"解", 1}, {"区", 1}, {"翟", 1}, {"欧阳", 1}, {"司马", 1}, {"诸葛", 1}, {"上官", 1}, {"尉迟", 1},
}

var given = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志峰海滨博文昊天成宏琳燕萍雪婷颖倩琪晶妍欣怡佳悦璐露蕾月慧瑶茜薇晴菲洁雯")

// Person is a generated individual.
type Person struct {
	Name     string
	Male     bool
	Birth    civil.Date
	IDNumber string
	Mobile   string
	Email    string
}

// People generates reproducible, unique people.
type People struct {
	rng   *rand.Rand
	total int
}

// NewPeople returns a generator.
func NewPeople(seed uint64) *People {
	t := 0
	for _, s := range surnames {
		t += s.w
	}
	return &People{rng: rand.New(rand.NewPCG(seed, seed+1)), total: t}
}

// Person i (the index makes ID numbers and mobiles unique).
func (g *People) Person(i int) Person {
	n := g.rng.IntN(g.total)
	name := "王"
	for _, s := range surnames {
		if n < s.w {
			name = s.s
			break
		}
		n -= s.w
	}
	for k := 1 + g.rng.IntN(2); k > 0; k-- {
		name += string(given[g.rng.IntN(len(given))])
	}
	male := g.rng.IntN(2) == 0
	// Unique birth day and order per i: 500 orders a day over 60 years.
	birth := civil.New(1966, 1, 1).AddDays((i / 500) % 14600)
	return Person{
		Name: name, Male: male, Birth: birth,
		IDNumber: IDNumber("110105", birth, i%500, male),
		Mobile:   fmt.Sprintf("1%d%08d", 38+i/100000000%2, i%100000000),
		Email:    fmt.Sprintf("p%06d@example.cn", i),
	}
}
