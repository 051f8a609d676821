// The Arco Design components the console uses, registered by name so that
// only these end up in the bundle (no full-library install).
import type { App } from 'vue'
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  ConfigProvider,
  DatePicker,
  Descriptions,
  Divider,
  Drawer,
  Dropdown,
  Empty,
  Form,
  Grid,
  Input,
  InputNumber,
  Layout,
  Link,
  Menu,
  Message,
  Modal,
  Pagination,
  Popover,
  Progress,
  Radio,
  Result,
  Select,
  Space,
  Spin,
  Statistic,
  Steps,
  Switch,
  Table,
  Tabs,
  Tag,
  Textarea,
  Tooltip,
  Typography,
} from '@arco-design/web-vue'
import '@arco-design/web-vue/dist/arco.min.css'

const components = [
  Alert, Badge, Button, Card, Checkbox, ConfigProvider, DatePicker, Descriptions, Divider, Drawer, Dropdown,
  Empty, Form, Grid, Input, InputNumber, Layout, Link, Menu, Modal, Pagination, Popover, Progress, Radio,
  Result, Select, Space, Spin, Statistic, Steps, Switch, Table, Tabs, Tag, Textarea, Tooltip, Typography,
]

export function installArco(app: App): void {
  for (const c of components) app.use(c)
  Message._context = app._context
}
