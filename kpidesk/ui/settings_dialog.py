"""Settings: the user's language, and the company's currency, fiscal year, weeks and windows."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core.formatting import CURRENCY_SYMBOLS, MONTH_NAMES
from kpidesk.core.settings import CompanySettings
from kpidesk.i18n import N_, _

MONTHS = MONTH_NAMES  # the one list of month names (core.formatting)
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


class SettingsDialog(QDialog):
    """Edits a copy of the settings; :meth:`company` and :meth:`language` give the result."""

    def __init__(self, company: CompanySettings, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        layout = QVBoxLayout(self)

        user = QGroupBox(_("For you, on this computer"))
        form = QFormLayout(user)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(_("As the system"), "")
        self.language_combo.addItem("Français", "fr")
        self.language_combo.addItem("English", "en")
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        form.addRow(_("Language:"), self.language_combo)
        note = QLabel(_("A new language applies the next time KPI Desk starts."))
        note.setStyleSheet("color:#64748b")
        form.addRow(note)
        layout.addWidget(user)

        box = QGroupBox(_("For the company (saved in its file)"))
        form = QFormLayout(box)
        self.name = QLineEdit(company.company_name)
        self.name.setObjectName("companyName")
        form.addRow(_("Company name:"), self.name)
        self.currency = QComboBox()
        self.currency.setObjectName("currencyCombo")
        for code, symbol in CURRENCY_SYMBOLS.items():
            self.currency.addItem(f"{code} ({symbol})", code)
        if self.currency.findData(company.currency) < 0:
            self.currency.addItem(company.currency, company.currency)
        self.currency.setCurrentIndex(self.currency.findData(company.currency))
        form.addRow(_("Currency:"), self.currency)
        self.fiscal = QComboBox()
        self.fiscal.setObjectName("fiscalYearStart")
        for i, month in enumerate(MONTHS, start=1):
            self.fiscal.addItem(_(month), i)
        self.fiscal.setCurrentIndex(company.fiscal_year_start - 1)
        form.addRow(_("Fiscal year starts in:"), self.fiscal)
        self.week = QComboBox()
        self.week.setObjectName("weekStart")
        for i, day in enumerate(WEEKDAYS, start=1):
            self.week.addItem(_(day), i)
        self.week.setCurrentIndex(company.week_start - 1)
        form.addRow(_("Weeks start on:"), self.week)
        self.base = QSpinBox()
        self.base.setObjectName("customerBaseMonths")
        self.base.setRange(1, 60)
        self.base.setValue(company.customer_base_months)
        self.base.setSuffix(" " + _("months"))
        form.addRow(_("A customer stays in the base for:"), self.base)
        self.one_time = QSpinBox()
        self.one_time.setObjectName("oneTimeBuyerDays")
        self.one_time.setRange(1, 730)
        self.one_time.setValue(company.one_time_buyer_days)
        self.one_time.setSuffix(" " + _("days"))
        form.addRow(_("One-time buyer if no second purchase within:"), self.one_time)
        layout.addWidget(box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._company = company

    def company(self) -> CompanySettings:
        return CompanySettings(
            company_name=self.name.text().strip(),
            currency=str(self.currency.currentData()),
            fiscal_year_start=int(self.fiscal.currentData()),
            week_start=int(self.week.currentData()),
            customer_base_months=self.base.value(),
            one_time_buyer_days=self.one_time.value(),
        )

    def language(self) -> str:
        return str(self.language_combo.currentData())
