#pragma once
// Signal colours (healthy, late, error) fitted to the palette in force, so colour-coded cells and
// messages read in a light and a dark palette alike: backgrounds are the signal tinted into the
// palette's base (the palette's text stays readable on them), text colours are lightened on a
// dark base.
#include <QColor>
#include <QGuiApplication>
#include <QPalette>

namespace koan::ui {

bool isDark(const QPalette &palette = QGuiApplication::palette());
// A cell background: `signal` mixed into the base.
QColor tinted(const QColor &signal, const QPalette &palette = QGuiApplication::palette());
// A text colour for `signal` on the base.
QColor signalText(const QColor &signal, const QPalette &palette = QGuiApplication::palette());
// The console's error red as text.
inline QColor errorText(const QPalette &palette = QGuiApplication::palette())
{
    return signalText(QColor(0xb7, 0x1c, 0x1c), palette);
}

} // namespace koan::ui
