package clean

import "github.com/renshi/renshi/internal/platform/i18n"

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		InvalidDate:   "日期格式不对，可写作 2024-01-05、2024/1/5、2024年1月5日 或 20240105",
		AmbiguousDate: "日期的日和月无法区分，请写作 2024-01-05 这样年在前的格式",
		InvalidMobile: "手机号不对，应为 11 位中国大陆手机号（可带 +86）",
		InvalidEmail:  "邮箱地址格式不对",
		InvalidChoice: "不是可选的值",
		InvalidNumber: "不是有效的数字",
		InvalidBool:   "应填写“是”或“否”",
	})
	i18n.Register(i18n.EN, map[string]string{
		InvalidDate:   "Not a date; write it as 2024-01-05, 2024/1/5, 2024年1月5日 or 20240105",
		AmbiguousDate: "The day and month cannot be told apart; write the date year first, as 2024-01-05",
		InvalidMobile: "Not a mobile number: 11 digits of a mainland China mobile (+86 allowed)",
		InvalidEmail:  "Not an email address",
		InvalidChoice: "Not one of the allowed values",
		InvalidNumber: "Not a number",
		InvalidBool:   "Write yes or no",
	})
}
