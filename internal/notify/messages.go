package notify

import "github.com/renshi/renshi/internal/platform/i18n"

// register adds messages, leaving keys another package has already
// defined (shared field labels keep their first text).
func register(locale string, msgs map[string]string) {
	own := map[string]string{}
	for k, v := range msgs {
		if !i18n.Has(locale, k) {
			own[k] = v
		}
	}
	i18n.Register(locale, own)
}

func init() {
	register(i18n.ZH, map[string]string{
		"notify.unknown_category": "不认识的通知类别 {category}",
		"notify.no_mail_server":   "尚未配置邮件服务器",
		"notify.test_failed":      "测试邮件发送失败：{error}",
		"notify.not_retryable":    "该投递当前状态为 {state}，只有失败的投递可以重试",
		"notify.email_open":       "查看详情：{url}",
		"notify.email_footer":     "此邮件由人事系统自动发送，请勿直接回复。可在“通知设置”中关闭邮件通知。",

		"notify.category.approval": "审批",
		"notify.category.reminder": "提醒",
		"notify.category.system":   "系统",

		"notify.delivery_state.pending": "待发送",
		"notify.delivery_state.sending": "发送中",
		"notify.delivery_state.sent":    "已发送",
		"notify.delivery_state.failed":  "失败",
		"notify.delivery_state.skipped": "已跳过",

		"object.notification":  "通知",
		"object.delivery":      "邮件投递",
		"object.smtp_settings": "邮件服务器设置",

		"perm.notify.settings.manage": "管理邮件设置与投递记录",

		"field.host":        "服务器地址",
		"field.port":        "端口",
		"field.username":    "用户名",
		"field.fromAddress": "发件人地址",
		"field.fromName":    "发件人名称",
		"field.tlsMode":     "加密方式",
		"field.to":          "收件人",
		"field.items":       "通知类别",
		"field.state":       "状态",
	})
	register(i18n.EN, map[string]string{
		"notify.unknown_category": "Unknown notification category {category}",
		"notify.no_mail_server":   "No mail server is configured",
		"notify.test_failed":      "The test email could not be sent: {error}",
		"notify.not_retryable":    "This delivery is {state}; only failed deliveries can be retried",
		"notify.email_open":       "Open: {url}",
		"notify.email_footer":     "Sent automatically by Renshi HR; please do not reply. You can turn email off under notification settings.",

		"notify.category.approval": "Approvals",
		"notify.category.reminder": "Reminders",
		"notify.category.system":   "System",

		"notify.delivery_state.pending": "Pending",
		"notify.delivery_state.sending": "Sending",
		"notify.delivery_state.sent":    "Sent",
		"notify.delivery_state.failed":  "Failed",
		"notify.delivery_state.skipped": "Skipped",

		"object.notification":  "Notification",
		"object.delivery":      "Email delivery",
		"object.smtp_settings": "Mail server settings",

		"perm.notify.settings.manage": "Manage mail settings and the delivery log",

		"field.host":        "Server",
		"field.port":        "Port",
		"field.username":    "User name",
		"field.fromAddress": "Sender address",
		"field.fromName":    "Sender name",
		"field.tlsMode":     "Encryption",
		"field.to":          "Recipient",
		"field.items":       "Categories",
		"field.state":       "State",
	})
}
