// Built-in sample texts written for pocketlm: training text for the language profiles and held-out test sentences.

/** Training text per language (ISO 639-1). Profiles are generated from these at load time. */
export const TRAIN_TEXT: Record<string, string> = {
  en: `The weather was cold this morning, so the children wore their warm coats on the way to school. Our teacher explained how plants use sunlight, water and air to make their own food. After lunch we read a story about a brave girl who sailed across the ocean with her grandfather. Many people think that learning a new language is difficult, but practice every day makes it much easier. The city council decided to build a new library next to the park, which will open next year. If you want to understand history, you should ask why things happened and not only when they happened. She has always wanted to visit the mountains in the north of the country. There were three apples on the table and my brother ate two of them before dinner. Scientists have found that regular exercise improves both the body and the mind. Please write your name at the top of the page and answer all of the questions.`,
  de: `Heute Morgen war es sehr kalt, deshalb haben die Kinder ihre warmen Jacken angezogen. Unsere Lehrerin hat erklärt, wie Pflanzen mit Sonnenlicht, Wasser und Luft ihre eigene Nahrung herstellen. Nach dem Mittagessen haben wir eine Geschichte über ein mutiges Mädchen gelesen, das mit seinem Großvater über das Meer gesegelt ist. Viele Menschen glauben, dass es schwierig ist, eine neue Sprache zu lernen, aber tägliches Üben macht es viel leichter. Der Stadtrat hat beschlossen, neben dem Park eine neue Bibliothek zu bauen, die nächstes Jahr eröffnet wird. Wer die Geschichte verstehen will, sollte fragen, warum etwas geschehen ist, und nicht nur wann. Sie wollte schon immer die Berge im Norden des Landes besuchen. Auf dem Tisch lagen drei Äpfel, und mein Bruder hat zwei davon vor dem Abendessen gegessen. Wissenschaftler haben herausgefunden, dass regelmäßige Bewegung sowohl dem Körper als auch dem Geist hilft. Bitte schreiben Sie Ihren Namen oben auf die Seite und beantworten Sie alle Fragen.`,
  fr: `Ce matin, il faisait très froid, alors les enfants ont mis leurs manteaux chauds pour aller à l'école. Notre maîtresse nous a expliqué comment les plantes utilisent la lumière du soleil, l'eau et l'air pour fabriquer leur nourriture. Après le déjeuner, nous avons lu l'histoire d'une fille courageuse qui a traversé l'océan avec son grand-père. Beaucoup de gens pensent qu'apprendre une nouvelle langue est difficile, mais un peu de pratique chaque jour rend les choses plus faciles. Le conseil municipal a décidé de construire une nouvelle bibliothèque à côté du parc, qui ouvrira l'année prochaine. Si vous voulez comprendre l'histoire, il faut se demander pourquoi les choses se sont passées et pas seulement quand. Elle a toujours voulu visiter les montagnes du nord du pays. Il y avait trois pommes sur la table et mon frère en a mangé deux avant le dîner. Les chercheurs ont montré que l'exercice régulier est bon pour le corps et pour l'esprit. Veuillez écrire votre nom en haut de la page et répondre à toutes les questions.`,
  es: `Esta mañana hacía mucho frío, así que los niños se pusieron sus abrigos para ir a la escuela. Nuestra maestra nos explicó cómo las plantas usan la luz del sol, el agua y el aire para fabricar su propio alimento. Después del almuerzo leímos la historia de una niña valiente que cruzó el océano con su abuelo. Mucha gente piensa que aprender un idioma nuevo es difícil, pero practicar todos los días lo hace mucho más fácil. El ayuntamiento decidió construir una nueva biblioteca junto al parque, que abrirá el año que viene. Si quieres entender la historia, debes preguntarte por qué ocurrieron las cosas y no solamente cuándo. Ella siempre ha querido visitar las montañas del norte del país. Había tres manzanas en la mesa y mi hermano se comió dos antes de la cena. Los científicos han descubierto que el ejercicio regular mejora tanto el cuerpo como la mente. Por favor, escribe tu nombre en la parte superior de la hoja y contesta todas las preguntas.`,
  it: `Stamattina faceva molto freddo, così i bambini hanno messo i loro cappotti caldi per andare a scuola. La nostra maestra ci ha spiegato come le piante usano la luce del sole, l'acqua e l'aria per produrre il proprio cibo. Dopo pranzo abbiamo letto la storia di una ragazza coraggiosa che ha attraversato l'oceano con suo nonno. Molte persone pensano che imparare una nuova lingua sia difficile, ma esercitarsi ogni giorno la rende molto più facile. Il consiglio comunale ha deciso di costruire una nuova biblioteca accanto al parco, che aprirà l'anno prossimo. Se vuoi capire la storia, devi chiederti perché le cose sono successe e non soltanto quando. Lei ha sempre voluto visitare le montagne nel nord del paese. C'erano tre mele sul tavolo e mio fratello ne ha mangiate due prima di cena. Gli scienziati hanno scoperto che l'esercizio regolare migliora sia il corpo sia la mente. Per favore, scrivi il tuo nome in cima alla pagina e rispondi a tutte le domande.`,
  pt: `Esta manhã estava muito frio, por isso as crianças vestiram os seus casacos quentes para ir à escola. A nossa professora explicou como as plantas usam a luz do sol, a água e o ar para produzir o seu próprio alimento. Depois do almoço lemos a história de uma menina corajosa que atravessou o oceano com o avô. Muitas pessoas acham que aprender uma nova língua é difícil, mas praticar todos os dias torna tudo muito mais fácil. A câmara municipal decidiu construir uma nova biblioteca ao lado do parque, que vai abrir no próximo ano. Se você quer entender a história, deve perguntar por que as coisas aconteceram e não apenas quando. Ela sempre quis visitar as montanhas no norte do país. Havia três maçãs em cima da mesa e o meu irmão comeu duas antes do jantar. Os cientistas descobriram que o exercício regular melhora tanto o corpo como a mente. Por favor, escreva o seu nome no topo da página e responda a todas as perguntas.`,
  nl: `Vanochtend was het erg koud, dus de kinderen trokken hun warme jassen aan om naar school te gaan. Onze juf legde uit hoe planten zonlicht, water en lucht gebruiken om hun eigen voedsel te maken. Na de lunch lazen we een verhaal over een dapper meisje dat met haar opa over de oceaan zeilde. Veel mensen denken dat het moeilijk is om een nieuwe taal te leren, maar elke dag oefenen maakt het veel gemakkelijker. De gemeenteraad heeft besloten om naast het park een nieuwe bibliotheek te bouwen, die volgend jaar opengaat. Als je geschiedenis wilt begrijpen, moet je vragen waarom dingen gebeurd zijn en niet alleen wanneer. Zij wilde altijd al de bergen in het noorden van het land bezoeken. Er lagen drie appels op tafel en mijn broer heeft er twee opgegeten voor het avondeten. Wetenschappers hebben ontdekt dat regelmatig bewegen goed is voor zowel het lichaam als de geest. Schrijf alstublieft uw naam bovenaan de pagina en beantwoord alle vragen.`,
  ru: `Сегодня утром было очень холодно, поэтому дети надели тёплые куртки, когда шли в школу. Наша учительница объяснила, как растения используют солнечный свет, воду и воздух, чтобы создавать себе пищу. После обеда мы прочитали рассказ о смелой девочке, которая переплыла океан вместе со своим дедушкой. Многие люди думают, что выучить новый язык трудно, но ежедневная практика делает это гораздо проще. Городской совет решил построить новую библиотеку рядом с парком, и она откроется в следующем году. Если вы хотите понять историю, нужно спрашивать, почему что-то произошло, а не только когда. Она всегда хотела побывать в горах на севере страны. На столе лежали три яблока, и мой брат съел два из них перед ужином. Учёные выяснили, что регулярные упражнения полезны и для тела, и для ума. Пожалуйста, напишите своё имя в верхней части страницы и ответьте на все вопросы.`,
  zh: `今天早上天气很冷，所以孩子们穿上了暖和的外套去上学。我们的老师解释了植物如何利用阳光、水和空气来制造自己的食物。午饭以后，我们读了一个故事，讲的是一个勇敢的女孩和她的爷爷一起横渡大海。很多人认为学习一门新的语言很难，但是每天练习会让它变得容易得多。市政府决定在公园旁边建一座新的图书馆，明年就会开放。如果你想了解历史，就应该问事情为什么会发生，而不只是什么时候发生。她一直想去这个国家北部的山区看看。桌子上有三个苹果，我的弟弟在晚饭前吃了两个。科学家发现，经常锻炼对身体和头脑都有好处。请在这一页的上方写上你的名字，并回答所有的问题。`,
  ja: `今朝はとても寒かったので、子どもたちは暖かいコートを着て学校へ行きました。先生は、植物が日光と水と空気を使って自分の栄養を作る仕組みを説明してくれました。昼ご飯のあと、私たちはおじいさんと一緒に海を渡った勇気のある女の子の話を読みました。新しい言葉を学ぶのは難しいと思う人が多いですが、毎日練習すればずっと簡単になります。市役所は公園の隣に新しい図書館を建てることに決めました。来年には開館する予定です。歴史を理解したいなら、いつ起きたかだけでなく、なぜ起きたのかを考えるべきです。彼女はずっと国の北にある山に行ってみたいと思っていました。テーブルの上にりんごが三つあって、弟は夕食の前に二つ食べてしまいました。科学者たちは、定期的な運動が体にも心にも良いことを発見しました。ページの一番上に名前を書いて、すべての質問に答えてください。`,
  ar: `كان الجو باردًا جدًا هذا الصباح، لذلك ارتدى الأطفال معاطفهم الدافئة في طريقهم إلى المدرسة. شرحت لنا المعلمة كيف تستخدم النباتات ضوء الشمس والماء والهواء لصنع غذائها. بعد الغداء قرأنا قصة عن فتاة شجاعة عبرت المحيط مع جدها. يعتقد كثير من الناس أن تعلم لغة جديدة أمر صعب، لكن التدريب كل يوم يجعله أسهل بكثير. قرر مجلس المدينة بناء مكتبة جديدة بجانب الحديقة، وسوف تفتح في العام القادم. إذا أردت أن تفهم التاريخ، فعليك أن تسأل لماذا حدثت الأشياء وليس فقط متى حدثت. كانت تريد دائمًا أن تزور الجبال في شمال البلاد. كانت هناك ثلاث تفاحات على الطاولة وأكل أخي اثنتين منها قبل العشاء. اكتشف العلماء أن التمارين المنتظمة مفيدة للجسم والعقل معًا. من فضلك اكتب اسمك في أعلى الصفحة وأجب عن جميع الأسئلة.`,
};

/** Held-out sentences (not used for training) to measure accuracy; different topics from TRAIN_TEXT. */
export const HELDOUT_TEXT: Record<string, string[]> = {
  en: [
    'The train to the airport leaves every fifteen minutes from the central station.',
    'My neighbour repairs old bicycles in his garage and sells them at the weekend market.',
    'Water boils at one hundred degrees at sea level, but at a lower temperature high in the mountains.',
    'Could you tell me where I can buy a ticket for the concert tonight?',
    'The museum shows paintings from the last four centuries and a small collection of ancient coins.',
  ],
  de: [
    'Der Zug zum Flughafen fährt alle fünfzehn Minuten vom Hauptbahnhof ab.',
    'Mein Nachbar repariert alte Fahrräder in seiner Garage und verkauft sie am Wochenende auf dem Markt.',
    'Wasser kocht auf Meereshöhe bei hundert Grad, aber hoch in den Bergen schon bei einer niedrigeren Temperatur.',
    'Können Sie mir sagen, wo ich eine Karte für das Konzert heute Abend kaufen kann?',
    'Das Museum zeigt Gemälde aus den letzten vier Jahrhunderten und eine kleine Sammlung alter Münzen.',
  ],
  fr: [
    "Le train pour l'aéroport part toutes les quinze minutes de la gare centrale.",
    'Mon voisin répare de vieux vélos dans son garage et les vend au marché le week-end.',
    "L'eau bout à cent degrés au niveau de la mer, mais à une température plus basse en haute montagne.",
    'Pourriez-vous me dire où je peux acheter un billet pour le concert de ce soir ?',
    'Le musée présente des tableaux des quatre derniers siècles et une petite collection de pièces anciennes.',
  ],
  es: [
    'El tren al aeropuerto sale cada quince minutos de la estación central.',
    'Mi vecino arregla bicicletas viejas en su garaje y las vende en el mercado del fin de semana.',
    'El agua hierve a cien grados al nivel del mar, pero a una temperatura más baja en lo alto de las montañas.',
    '¿Podría decirme dónde puedo comprar una entrada para el concierto de esta noche?',
    'El museo muestra pinturas de los últimos cuatro siglos y una pequeña colección de monedas antiguas.',
  ],
  it: [
    "Il treno per l'aeroporto parte ogni quindici minuti dalla stazione centrale.",
    'Il mio vicino ripara vecchie biciclette nel suo garage e le vende al mercato del fine settimana.',
    "L'acqua bolle a cento gradi al livello del mare, ma a una temperatura più bassa in alta montagna.",
    'Potrebbe dirmi dove posso comprare un biglietto per il concerto di stasera?',
    'Il museo espone quadri degli ultimi quattro secoli e una piccola collezione di monete antiche.',
  ],
  pt: [
    'O comboio para o aeroporto parte a cada quinze minutos da estação central.',
    'O meu vizinho conserta bicicletas velhas na garagem e vende-as na feira do fim de semana.',
    'A água ferve a cem graus ao nível do mar, mas a uma temperatura mais baixa no alto das montanhas.',
    'Pode dizer-me onde posso comprar um bilhete para o concerto de hoje à noite?',
    'O museu mostra pinturas dos últimos quatro séculos e uma pequena coleção de moedas antigas.',
  ],
  nl: [
    'De trein naar het vliegveld vertrekt elk kwartier vanaf het centraal station.',
    'Mijn buurman repareert oude fietsen in zijn garage en verkoopt ze in het weekend op de markt.',
    'Water kookt op zeeniveau bij honderd graden, maar hoog in de bergen al bij een lagere temperatuur.',
    'Kunt u mij vertellen waar ik een kaartje voor het concert van vanavond kan kopen?',
    'Het museum toont schilderijen uit de laatste vier eeuwen en een kleine verzameling oude munten.',
  ],
  ru: [
    'Поезд в аэропорт отправляется с центрального вокзала каждые пятнадцать минут.',
    'Мой сосед чинит старые велосипеды у себя в гараже и продаёт их на рынке по выходным.',
    'На уровне моря вода кипит при ста градусах, а высоко в горах при более низкой температуре.',
    'Не подскажете, где можно купить билет на сегодняшний концерт?',
    'В музее выставлены картины за последние четыре века и небольшая коллекция старинных монет.',
  ],
  zh: [
    '去机场的火车每十五分钟从中央车站出发一次。',
    '我的邻居在车库里修理旧自行车，周末拿到市场上去卖。',
    '在海平面上水在一百度时沸腾，但是在高山上沸点更低。',
    '请问今天晚上音乐会的票在哪里可以买到？',
    '这个博物馆展出过去四个世纪的绘画，还有一小批古代钱币。',
  ],
  ja: [
    '空港行きの電車は中央駅から十五分ごとに出発します。',
    '隣の人はガレージで古い自転車を直して、週末の市場で売っています。',
    '水は海面の高さでは百度で沸騰しますが、高い山の上ではもっと低い温度で沸騰します。',
    '今夜のコンサートのチケットはどこで買えるか教えていただけますか。',
    'この博物館には過去四百年の絵画と、古い硬貨の小さなコレクションがあります。',
  ],
  ar: [
    'يغادر القطار المتجه إلى المطار من المحطة المركزية كل خمس عشرة دقيقة.',
    'يصلح جاري الدراجات القديمة في مرآبه ويبيعها في سوق نهاية الأسبوع.',
    'يغلي الماء عند مئة درجة على مستوى سطح البحر، لكن عند درجة أقل في أعالي الجبال.',
    'هل يمكنك أن تخبرني أين أستطيع شراء تذكرة لحفل هذه الليلة؟',
    'يعرض المتحف لوحات من القرون الأربعة الأخيرة ومجموعة صغيرة من العملات القديمة.',
  ],
};
