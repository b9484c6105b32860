// The Vant components of the phone-first learning center, with only their styles (the
// desktop pages use Element Plus and never load these).
import 'vant/es/button/style/index'
import 'vant/es/cell/style/index'
import 'vant/es/cell-group/style/index'
import 'vant/es/checkbox/style/index'
import 'vant/es/checkbox-group/style/index'
import 'vant/es/dialog/style/index'
import 'vant/es/empty/style/index'
import 'vant/es/field/style/index'
import 'vant/es/icon/style/index'
import 'vant/es/loading/style/index'
import 'vant/es/notice-bar/style/index'
import 'vant/es/popup/style/index'
import 'vant/es/progress/style/index'
import 'vant/es/pull-refresh/style/index'
import 'vant/es/radio/style/index'
import 'vant/es/radio-group/style/index'
import 'vant/es/rate/style/index'
import 'vant/es/tag/style/index'
import 'vant/es/toast/style/index'
import './vant-icon.css'

export {
  Button as VanButton,
  Cell as VanCell,
  CellGroup as VanCellGroup,
  Checkbox as VanCheckbox,
  CheckboxGroup as VanCheckboxGroup,
  Empty as VanEmpty,
  Field as VanField,
  Icon as VanIcon,
  Loading as VanLoading,
  NoticeBar as VanNoticeBar,
  Popup as VanPopup,
  Progress as VanProgress,
  PullRefresh as VanPullRefresh,
  Radio as VanRadio,
  RadioGroup as VanRadioGroup,
  Rate as VanRate,
  Tag as VanTag,
  showConfirmDialog,
  showDialog,
  showFailToast,
  showSuccessToast,
  showToast,
} from 'vant'
