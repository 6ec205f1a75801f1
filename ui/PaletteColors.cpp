#include "PaletteColors.h"

namespace koan::ui {

namespace {
QColor mix(const QColor &a, const QColor &b, double t) // t of b
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}
} // namespace

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor tinted(const QColor &signal, const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), signal, 0.3);
}

QColor signalText(const QColor &signal, const QPalette &palette)
{
    return isDark(palette) ? mix(signal, Qt::white, 0.5) : signal;
}

} // namespace koan::ui
