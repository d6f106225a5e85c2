// The shipped purposes: why each wants which fields, for how long, in every language the product
// speaks (plain language is the legal point: GDPR Art. 7(2)). Only data: the rules it must obey, the
// versions and the loading of an operator's PURPOSES_FILE are in purposes.ts. Editing a text here
// makes a new version of that language's text (docs/RECIPES.md, "Add a purpose").
import type { PurposeSpec } from "./purpose-text";

export const SHIPPED_PURPOSES = {
  account: {
    texts: {
      en: {
        title: "Your account",
        justification:
          "To recognise you when you sign in again we keep your Telegram user id, encrypted, and find it through a keyed fingerprint. Nothing else is needed for an account.",
        ifRefused: "This one is required: without it there is no account. You can delete the account at any time.",
      },
      ru: {
        title: "Ваша учётная запись",
        justification:
          "Чтобы узнать вас при следующем входе, мы храним ваш идентификатор пользователя Telegram в зашифрованном виде и находим его по отпечатку с секретным ключом. Больше для учётной записи ничего не нужно.",
        ifRefused:
          "Это обязательная цель: без неё учётной записи нет. Вы можете удалить учётную запись в любой момент.",
      },
      es: {
        title: "Tu cuenta",
        justification:
          "Para reconocerte cuando vuelvas a entrar guardamos tu identificador de usuario de Telegram, cifrado, y lo encontramos mediante una huella con clave secreta. Una cuenta no necesita nada más.",
        ifRefused: "Esta es obligatoria: sin ella no hay cuenta. Puedes borrar la cuenta cuando quieras.",
      },
      fa: {
        title: "حساب کاربری شما",
        justification:
          "برای اینکه وقتی دوباره وارد می‌شوید شما را بشناسیم، شناسهٔ کاربری تلگرام شما را رمزگذاری‌شده نگه می‌داریم و آن را با یک اثر انگشت کلیددار پیدا می‌کنیم. حساب به چیز دیگری نیاز ندارد.",
        ifRefused: "این مورد الزامی است: بدون آن حسابی وجود ندارد. هر زمان بخواهید می‌توانید حساب را حذف کنید.",
      },
    },
    fields: ["telegram_id"],
    required: true,
    retentionDays: 730,
  },
  display_name: {
    texts: {
      en: {
        title: "Greet you by name",
        justification: "We show your first and last name from Telegram on your pages so you know it is your account.",
        ifRefused: "We greet you without a name. Nothing else changes.",
      },
      ru: {
        title: "Обращаться к вам по имени",
        justification:
          "Мы показываем ваши имя и фамилию из Telegram на ваших страницах, чтобы вы видели, что это ваша учётная запись.",
        ifRefused: "Мы приветствуем вас без имени. Больше ничего не меняется.",
      },
      es: {
        title: "Saludarte por tu nombre",
        justification: "Mostramos tu nombre y apellido de Telegram en tus páginas para que sepas que es tu cuenta.",
        ifRefused: "Te saludamos sin nombre. Nada más cambia.",
      },
      fa: {
        title: "خوش‌آمدگویی با نام شما",
        justification:
          "نام و نام خانوادگی شما در تلگرام را در صفحه‌های شما نشان می‌دهیم تا بدانید این حساب خودتان است.",
        ifRefused: "بدون نام به شما خوش‌آمد می‌گوییم. چیز دیگری تغییر نمی‌کند.",
      },
    },
    fields: ["first_name", "last_name"],
    required: false,
    retentionDays: 365,
  },
  username: {
    texts: {
      en: {
        title: "Show your Telegram username",
        justification:
          "We show your @username beside your name on your pages, so you can see at a glance which Telegram account you signed in with.",
        ifRefused: "Your username is not stored or shown.",
      },
      ru: {
        title: "Показывать ваше имя пользователя в Telegram",
        justification:
          "Мы показываем ваш @username рядом с вашим именем на ваших страницах, чтобы вы сразу видели, с какой учётной записью Telegram вы вошли.",
        ifRefused: "Ваше имя пользователя не хранится и не показывается.",
      },
      es: {
        title: "Mostrar tu alias de Telegram",
        justification:
          "Mostramos tu @alias junto a tu nombre en tus páginas, para que veas de un vistazo con qué cuenta de Telegram entraste.",
        ifRefused: "Tu alias no se guarda ni se muestra.",
      },
      fa: {
        title: "نمایش نام کاربری تلگرام شما",
        justification:
          "نام کاربری تلگرام شما (‎@username) را کنار نامتان در صفحه‌های شما نشان می‌دهیم تا با یک نگاه ببینید با کدام حساب تلگرام وارد شده‌اید.",
        ifRefused: "نام کاربری شما نه ذخیره می‌شود و نه نمایش داده می‌شود.",
      },
    },
    fields: ["username"],
    required: false,
    retentionDays: 365,
  },
  profile_photo: {
    texts: {
      en: {
        title: "Show your profile photo",
        justification: "We keep the link to your Telegram profile photo to show it beside your name.",
        ifRefused: "A neutral placeholder is shown instead.",
      },
      ru: {
        title: "Показывать фото вашего профиля",
        justification: "Мы храним ссылку на фото вашего профиля в Telegram, чтобы показывать его рядом с вашим именем.",
        ifRefused: "Вместо фото показывается нейтральная заглушка.",
      },
      es: {
        title: "Mostrar tu foto de perfil",
        justification: "Guardamos el enlace a tu foto de perfil de Telegram para mostrarla junto a tu nombre.",
        ifRefused: "En su lugar se muestra una imagen neutra.",
      },
      fa: {
        title: "نمایش عکس نمایهٔ شما",
        justification: "پیوند عکس نمایهٔ تلگرام شما را نگه می‌داریم تا آن را کنار نامتان نشان دهیم.",
        ifRefused: "به جای آن یک تصویر خنثی نشان داده می‌شود.",
      },
    },
    fields: ["photo_url"],
    required: false,
    retentionDays: 90,
  },
  phone_contact: {
    texts: {
      en: {
        title: "Contact you by phone",
        justification:
          "We keep your phone number, shared by you through Telegram, so the people who run this site can call or text you about your account: a security problem, or a request you made. Only an admin can look it up, one person at a time, giving a reason, and every lookup is listed on your settings page. It is stored encrypted.",
        ifRefused: "We never ask Telegram for your phone number, do not store one, and cannot call or text you.",
      },
      ru: {
        title: "Связываться с вами по телефону",
        justification:
          "Мы храним номер телефона, которым вы сами поделились через Telegram, чтобы те, кто ведёт этот сайт, могли позвонить вам или написать по поводу вашей учётной записи: из-за проблемы с безопасностью или по вашему запросу. Посмотреть номер может только администратор — каждый раз одного человека и с указанием причины, а каждый такой просмотр виден на странице ваших настроек. Номер хранится в зашифрованном виде.",
        ifRefused:
          "Мы никогда не запрашиваем у Telegram ваш номер телефона, не храним его и не можем вам позвонить или написать.",
      },
      es: {
        title: "Contactarte por teléfono",
        justification:
          "Guardamos tu número de teléfono, que tú compartes a través de Telegram, para que quienes gestionan este sitio puedan llamarte o escribirte sobre tu cuenta: por un problema de seguridad o por una solicitud tuya. Solo un administrador puede consultarlo, de una persona cada vez y indicando un motivo, y cada consulta aparece en tu página de ajustes. Se guarda cifrado.",
        ifRefused:
          "Nunca pedimos tu número de teléfono a Telegram, no guardamos ninguno y no podemos llamarte ni escribirte.",
      },
      fa: {
        title: "تماس تلفنی با شما",
        justification:
          "شمارهٔ تلفنی را که خودتان از راه تلگرام به اشتراک می‌گذارید نگه می‌داریم تا گردانندگان این سایت بتوانند دربارهٔ حسابتان به شما زنگ بزنند یا پیامک بفرستند: برای یک مشکل امنیتی، یا درخواستی که خودتان داده‌اید. فقط یک مدیر می‌تواند آن را ببیند، هر بار برای یک نفر و با ذکر دلیل، و هر بار دیدن آن در صفحهٔ تنظیمات شما فهرست می‌شود. این شماره رمزگذاری‌شده نگه داشته می‌شود.",
        ifRefused:
          "هرگز شمارهٔ تلفن شما را از تلگرام نمی‌خواهیم، هیچ شماره‌ای نگه نمی‌داریم و نمی‌توانیم به شما زنگ بزنیم یا پیامک بفرستیم.",
      },
    },
    fields: ["phone_number"],
    required: false,
    retentionDays: 365,
  },
  phone_verification: {
    texts: {
      en: {
        title: "Confirm you have a phone number",
        justification:
          "Telegram shows us your phone number once, when you share it, so we can note that it was verified. We keep only the date of that check, never the number.",
        ifRefused: "We never note a phone check. Nothing else changes.",
      },
      ru: {
        title: "Подтвердить, что у вас есть номер телефона",
        justification:
          "Telegram показывает нам ваш номер телефона один раз, когда вы им делитесь, чтобы мы могли отметить, что он подтверждён. Мы храним только дату этой проверки и никогда — сам номер.",
        ifRefused: "Мы не отмечаем проверку телефона. Больше ничего не меняется.",
      },
      es: {
        title: "Confirmar que tienes un número de teléfono",
        justification:
          "Telegram nos muestra tu número de teléfono una sola vez, cuando lo compartes, para que podamos anotar que está verificado. Solo guardamos la fecha de esa comprobación, nunca el número.",
        ifRefused: "Nunca anotamos una comprobación del teléfono. Nada más cambia.",
      },
      fa: {
        title: "تأیید اینکه شمارهٔ تلفن دارید",
        justification:
          "تلگرام شمارهٔ تلفن شما را فقط یک بار، وقتی آن را به اشتراک می‌گذارید، به ما نشان می‌دهد تا ثبت کنیم که تأیید شده است. فقط تاریخ این بررسی را نگه می‌داریم، هرگز خود شماره را.",
        ifRefused: "هیچ بررسی تلفنی ثبت نمی‌کنیم. چیز دیگری تغییر نمی‌کند.",
      },
    },
    fields: ["phone_number"],
    required: false,
    retentionDays: 365,
    oneTime: true,
  },
} as const satisfies Record<string, PurposeSpec>;
