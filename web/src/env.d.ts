/// <reference types="vite/client" />
import 'vue-router'
import type { Component } from 'vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page / menu title */
    titleKey?: string
    /** icon component shown in the menu */
    icon?: Component
    /** permission (or any of several) needed to open the page */
    permission?: string | string[]
    /** shown in the side menu */
    menu?: boolean
    /** i18n key of the sub-menu this entry belongs to */
    menuGroup?: string
    /** icon of that sub-menu */
    menuGroupIcon?: Component
    /** reachable without a session */
    public?: boolean
  }
}
