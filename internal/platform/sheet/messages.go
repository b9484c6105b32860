package sheet

import "github.com/renshi/renshi/internal/platform/i18n"

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		"sheet.empty":              "文件是空的，没有可读取的内容",
		"sheet.unsupported_type":   "无法识别的文件类型，请上传 Excel（.xlsx）或 CSV 文件",
		"sheet.encrypted":          "工作簿设置了打开密码，请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新上传",
		"sheet.legacy_xls":         "不支持旧版 Excel 97-2003 格式（.xls），请在 Excel 或 WPS 中另存为 .xlsx 后上传",
		"sheet.corrupt":            "文件已损坏或格式不正确，无法读取",
		"sheet.too_large":          "文件超过 {max}，请拆分后上传",
		"sheet.too_large_unzipped": "文件解压后超过 {max} 或压缩比异常，已拒绝读取",
		"sheet.too_many_rows":      "数据行数超过上限 {max} 行，请拆分后分批导入",
		"sheet.cell_too_long":      "第 {line} 行 {column} 列的内容超过 {max} 个字符",
		"sheet.text_too_long":      "文件中有超过 {max} 个字符的单元格内容",
		"sheet.no_such_sheet":      "工作簿中没有名为“{sheet}”的工作表",
		"sheet.too_many_strings":   "文件中不同的文本超过 {max} 个，请拆分后分批导入",
	})
	i18n.Register(i18n.EN, map[string]string{
		"sheet.empty":              "The file is empty: there is nothing to read",
		"sheet.unsupported_type":   "This type of file is not recognised; upload an Excel (.xlsx) or CSV file",
		"sheet.encrypted":          "The workbook is password-protected; remove the password in Excel (File → Info → Protect Workbook → Encrypt with Password, clear it) and upload it again",
		"sheet.legacy_xls":         "The old Excel 97-2003 format (.xls) is not supported; save the file as .xlsx in Excel or WPS and upload that",
		"sheet.corrupt":            "The file is damaged or not in the format it claims, and cannot be read",
		"sheet.too_large":          "The file is larger than {max}; split it and upload the parts",
		"sheet.too_large_unzipped": "The file unpacks to more than {max} or compresses suspiciously well, and was refused",
		"sheet.too_many_rows":      "The file has more than {max} data rows; split it and import the parts",
		"sheet.cell_too_long":      "Row {line}, column {column} holds more than {max} characters",
		"sheet.text_too_long":      "A cell in the file holds more than {max} characters",
		"sheet.no_such_sheet":      "The workbook has no sheet named \"{sheet}\"",
		"sheet.too_many_strings":   "The file holds more than {max} different texts; split it and import the parts",
	})
}
